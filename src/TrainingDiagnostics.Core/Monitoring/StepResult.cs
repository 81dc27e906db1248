using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>The outcome of one <see cref="TrainingMonitor.Step"/>.</summary>
/// <param name="Loss">The loss of the step (NaN or infinite when it was not finite).</param>
/// <param name="ShouldStep">Whether the caller should apply the optimizer step: false when the policy skipped or rolled back the step.</param>
/// <param name="Anomalies">The incidents found in this step (empty for a healthy step).</param>
/// <param name="GradientNorm">The L2 norm of all gradients together.</param>
/// <param name="Record">The step record written to the run (per-layer statistics).</param>
public sealed record StepResult(
    double Loss,
    bool ShouldStep,
    IReadOnlyList<AnomalyEvent> Anomalies,
    double GradientNorm,
    StepRecord Record)
{
    /// <summary>True when no anomaly was found in this step.</summary>
    public bool IsHealthy => Anomalies.Count == 0;
}
