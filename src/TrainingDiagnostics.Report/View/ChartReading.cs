namespace TrainingDiagnostics.Report.View;

/// <summary>The numbers of a small chart's one-line reading: a metric's (<see cref="MetricReading"/>) or the learning rate's (<see cref="LearningRateReading"/>).</summary>
internal abstract record ChartReading;
