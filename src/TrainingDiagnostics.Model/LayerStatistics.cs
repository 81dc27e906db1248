namespace TrainingDiagnostics.Model;

/// <summary>
/// Statistics of one named parameter (a layer's weight or bias) at one training step.
/// </summary>
/// <remarks>
/// A norm is <see langword="null"/> when it was not measured (for example a frozen parameter has no
/// gradient). A non-finite norm (<see cref="double.NaN"/>, <see cref="double.PositiveInfinity"/>) is a
/// measurement: it means the tensor held a NaN or an infinity.
/// </remarks>
public sealed record LayerStatistics
{
    /// <summary>
    /// The parameter's dotted name as <c>named_parameters()</c> gives it, for example <c>fc1.weight</c>.
    /// Chosen by the user: treat it as untrusted text when rendering.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The L2 norm of the parameter's gradient, or <see langword="null"/> when it had no gradient.</summary>
    public double? GradientNorm { get; init; }

    /// <summary>The L2 norm of the parameter's values, or <see langword="null"/> when not measured.</summary>
    public double? WeightNorm { get; init; }

    /// <summary>
    /// ‖Δw‖ / ‖w‖ of the last optimizer update of this parameter (measured by the step after it), or <see langword="null"/>
    /// when not measured at this step. Healthy training typically sits near 1e-3.
    /// </summary>
    public double? UpdateRatio { get; init; }
}
