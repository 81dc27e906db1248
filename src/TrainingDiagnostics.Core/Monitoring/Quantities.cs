namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The quantities the built-in instruments publish. Read one from your own instrument by listing it in
/// <see cref="Instrument.Requires"/> and calling <see cref="InstrumentContext.TryGet{T}"/>; it is there at the steps its
/// producer is due (and did not fail), from that producer's stage on.
/// </summary>
public static class Quantities
{
    /// <summary>
    /// Per-parameter weight L2 norms ‖w‖, in the order of <see cref="InstrumentContext.Parameters"/>, read before this step's
    /// update. Published by the <c>weight-norms</c> instrument in its <see cref="Instrument.Compute"/> on
    /// <see cref="MonitorOptions.WeightNormSchedule"/> steps; the step record's weight norms.
    /// </summary>
    public static Quantity<IReadOnlyList<double>> WeightNorms { get; } = new("weight-norms",
        "per-parameter weight L2 norms before this step's update, on the weight-norm schedule");

    /// <summary>
    /// Per-parameter update-to-weight ratios ‖Δw‖/‖w‖ of the last optimizer step, in the order of
    /// <see cref="InstrumentContext.Parameters"/> (null for a parameter whose weights were zero). Published by the
    /// <c>update-ratios</c> instrument in its <see cref="Instrument.Compute"/> at the step after its schedule fired on a step the
    /// optimizer applied; the step record's update ratios and the <see cref="AnomalyPolicy.Heal"/> policy's fallback evidence.
    /// </summary>
    public static Quantity<IReadOnlyList<double?>> UpdateRatios { get; } = new("update-ratios",
        "per-parameter update-to-weight ratios of the last optimizer step, the step after the update-ratio schedule fired");

    /// <summary>
    /// The top eigenvalue of the Hessian of this step's loss (the sharpness λ, Lanczos). Published by the <c>curvature</c>
    /// instrument in its <see cref="Instrument.Compute"/> on <see cref="MonitorOptions.CurvatureSchedule"/> steps whose loss and
    /// gradients are finite; the <see cref="AnomalyPolicy.Heal"/> policy scales the learning rate by 1/(lr·λ) from it.
    /// </summary>
    public static Quantity<double> TopHessianEigenvalue { get; } = new("top-hessian-eigenvalue",
        "the top eigenvalue of the Hessian of this step's loss (sharpness), on the curvature schedule");

    /// <summary>
    /// The trace of the Hessian of this step's loss (Hutchinson), when the curvature budget left at least two Hessian-vector
    /// products for it. Published by the <c>curvature</c> instrument with <see cref="TopHessianEigenvalue"/>.
    /// </summary>
    public static Quantity<double> HessianTrace { get; } = new("hessian-trace",
        "the trace of the Hessian of this step's loss (Hutchinson), on the curvature schedule");
}
