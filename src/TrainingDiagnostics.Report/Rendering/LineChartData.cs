namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// A small line chart under the loss chart (a metric, the learning rate): what both the static SVG and the script
/// draw. Its element is <see cref="Id"/>, inside a box <c>Id-box</c>.
/// </summary>
internal sealed record LineChartData(string Id, string Title, string YLabel, double Height, bool LogScale, IReadOnlyList<ChartSeries> Series);
