namespace TrainingDiagnostics.Report.View;

/// <summary>A run of consecutive finite points of a <see cref="ChartSeries"/>, drawn as one unbroken line.</summary>
internal sealed record ChartSegment(long[] Steps, double[] Values);
