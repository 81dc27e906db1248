using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>The outcome of one <see cref="TrainingMonitor.Step"/>.</summary>
/// <param name="Loss">The loss of the step (NaN or infinite when it was not finite).</param>
/// <param name="ShouldStep">Whether the caller should apply the optimizer step: false when the policy skipped or rolled back the step.</param>
/// <param name="Anomalies">The incidents found in this step (empty for a healthy step).</param>
public sealed record StepResult(double Loss, bool ShouldStep, IReadOnlyList<AnomalyEvent> Anomalies)
{
    /// <summary>The L2 norm of all gradients together.</summary>
    public double GradientNorm { get; init; }

    /// <summary>The step record written to the run (per-layer gradient and weight norms, update ratios).</summary>
    public StepRecord? Record { get; init; }

    /// <summary>True when no anomaly was found in this step.</summary>
    public bool IsHealthy => Anomalies.Count == 0;
}
