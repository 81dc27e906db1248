namespace TrainingDiagnostics.Report.View;

/// <summary>
/// One entry under the loss chart (a metric that is not a loss, or the learning rate): its heading, what its reading
/// says, and its chart, or <see langword="null"/> when a number says more than a flat line. Built with the page's view
/// (<see cref="ReportView"/>); the HTML writes all of it, the embedded JSON carries the charts.
/// </summary>
/// <param name="Heading">The heading text (not yet HTML-encoded).</param>
/// <param name="Reading">What the one-line reading under the heading says.</param>
/// <param name="NoteId">The reading's element id, or <see langword="null"/> for none.</param>
/// <param name="Chart">The chart, or <see langword="null"/>.</param>
internal sealed record SmallChart(string Heading, ChartReading Reading, string? NoteId, LineChartData? Chart);
