namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The learning rate's reading: its finite range (first, last, lowest, highest; null when no value was finite), and
/// whether it was the same finite value at every step, when the number is shown instead of a flat line.
/// </summary>
internal sealed record LearningRateReading((double First, double Last, double Min, double Max)? Range, bool Flat) : ChartReading;
