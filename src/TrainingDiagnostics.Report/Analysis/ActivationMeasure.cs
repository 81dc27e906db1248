namespace TrainingDiagnostics.Report.Analysis;

/// <summary>What an activation instrument of the monitor measures on a module's output (see <see cref="Model.InstrumentMetricNames"/>).</summary>
internal enum ActivationMeasure
{
    /// <summary>The share of a ReLU-family module's units that output zero for every sample of the batch.</summary>
    DeadUnits,

    /// <summary>The share of a sigmoid or tanh module's outputs on its flat tails (derivative below about 1 % of its maximum).</summary>
    Saturation,
}
