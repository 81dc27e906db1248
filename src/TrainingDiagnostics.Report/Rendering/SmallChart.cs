namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// One entry under the loss chart (a metric that is not a loss, or the learning rate): its heading, a one-line reading,
/// and its chart, or <see langword="null"/> when a number says more than a flat line. Built from the view model by
/// <see cref="MetricCharts.Build"/>; the HTML writes all of it, the embedded JSON carries the charts.
/// </summary>
/// <param name="Heading">The heading text (not yet HTML-encoded).</param>
/// <param name="NoteHtml">The reading, as HTML (encoded).</param>
/// <param name="NoteId">The note's element id, or <see langword="null"/> for none.</param>
/// <param name="Chart">The chart, or <see langword="null"/>.</param>
internal sealed record SmallChart(string Heading, string NoteHtml, string? NoteId, LineChartData? Chart);
