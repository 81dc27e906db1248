namespace TrainingDiagnostics.Report.View;

/// <summary>The curvature measured at one step: the top Hessian eigenvalue (sharpness) and the trace, each with its error bar, and the learning rate in force.</summary>
/// <param name="Step">The step.</param>
/// <param name="TopEigenvalue">The top eigenvalue, or null when not measured at this step.</param>
/// <param name="Residual">The eigenvalue's residual (|λ - θ| is at most this), or null.</param>
/// <param name="Trace">The trace, or null when not measured at this step.</param>
/// <param name="TraceStandardError">The trace's standard error, or null.</param>
/// <param name="LearningRate">The learning rate of the step (or of the last step recorded before it), or null when none is recorded.</param>
/// <param name="MatVecs">The Hessian-vector products both estimates spent.</param>
internal sealed record CurvaturePoint(long Step, double? TopEigenvalue, double? Residual, double? Trace, double? TraceStandardError, double? LearningRate, int MatVecs)
{
    /// <summary>The edge-of-stability threshold 2/lr of gradient descent, when a positive learning rate is known.</summary>
    public double? StabilityThreshold => LearningRate is double lr && lr > 0 && double.IsFinite(lr) ? 2 / lr : null;
}
