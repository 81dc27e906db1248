namespace TrainingDiagnostics.Report.View;

/// <summary>
/// A line chart other than the loss chart (a metric, the learning rate, a trainer's progress): what both the static SVG
/// and the script draw. Its element is <see cref="Id"/>, inside a box <c>Id-box</c>.
/// </summary>
/// <param name="Id">The chart's element id.</param>
/// <param name="Title">Its accessible title.</param>
/// <param name="YLabel">The value axis' label.</param>
/// <param name="Small">Whether it is a small chart (stacked under the loss chart) rather than a full-height one.</param>
/// <param name="LogScale">Whether its values read better on a log scale (see <see cref="ChartScale"/>).</param>
/// <param name="Series">Its lines.</param>
internal sealed record LineChartData(string Id, string Title, string YLabel, bool Small, bool LogScale, IReadOnlyList<ChartSeries> Series);
