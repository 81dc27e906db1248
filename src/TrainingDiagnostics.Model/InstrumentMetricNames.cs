namespace TrainingDiagnostics.Model;

/// <summary>
/// The names under which the monitor's built-in instruments record what they measure (as <see cref="MetricRecord"/>s and
/// <see cref="DataProfileRecord"/>s), and which the report's rules read: one source for both sides.
/// </summary>
public static class InstrumentMetricNames
{
    /// <summary>
    /// Prefix of the fraction of units of a ReLU-family activation module that output zero for every sample of the batch
    /// (0 to 1); the module's path follows, for example <c>activation/dead_fraction/encoder.2</c>.
    /// </summary>
    public const string DeadFractionPrefix = "activation/dead_fraction/";

    /// <summary>
    /// Prefix of the fraction of a sigmoid or tanh module's outputs that sit on its flat tails, where the derivative is
    /// nearly zero (0 to 1); the module's path follows.
    /// </summary>
    public const string SaturatedFractionPrefix = "activation/saturated_fraction/";

    /// <summary>The <see cref="DataProfileRecord.Name"/> of the profile of the model's input, taken on the first batches; findings place it at <c>input</c>.</summary>
    public const string InputProfile = "input";
}
