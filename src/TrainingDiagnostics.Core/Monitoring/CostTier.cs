namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Presets that bound the overhead of the optional instruments (as Cockpit's economy/business/full configurations do).
/// The always-on checks (loss, per-layer gradient norms, non-finite detection, exploding/vanishing statistics) run in every tier.
/// </summary>
public enum CostTier
{
    /// <summary>Always-on checks only, plus weight norms and update-to-weight ratios every 10 steps. Target overhead: under 5% of a step.</summary>
    Economy,

    /// <summary>Economy, plus activation statistics (BatchNorm channel variances) every 50 steps and TensorBoard histograms every 500.</summary>
    Business,

    /// <summary>Everything every step: weight norms, update ratios, activation statistics; histograms every 50 steps.</summary>
    Full,
}
