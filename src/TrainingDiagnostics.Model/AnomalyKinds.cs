using System.Collections.Frozen;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The one table of what each <see cref="AnomalyKind"/> means, read by the monitor (which events its policy acts on) and by
/// the report (titles and severities), so that the two can never disagree.
/// </summary>
public static class AnomalyKinds
{
    private static readonly FrozenDictionary<AnomalyKind, AnomalyKindInfo> Table = new AnomalyKindInfo[]
    {
        new(AnomalyKind.NonFiniteLoss, "Non-finite loss", AnomalySeverity.Critical, PolicyActs: true),
        new(AnomalyKind.NonFiniteInput, "Non-finite input batch", AnomalySeverity.Critical, PolicyActs: true),
        new(AnomalyKind.NonFiniteActivation, "Non-finite activation", AnomalySeverity.Critical, PolicyActs: true),
        new(AnomalyKind.NonFiniteGradient, "Non-finite gradient", AnomalySeverity.Critical, PolicyActs: true),
        new(AnomalyKind.NonFiniteParameter, "Non-finite parameter", AnomalySeverity.Critical, PolicyActs: true),
        // An explosion or a divergence caught while the loss is finite: acting now (skip, roll back) prevents the NaN.
        new(AnomalyKind.ExplodingGradient, "Exploding gradient", AnomalySeverity.Warning, PolicyActs: true),
        new(AnomalyKind.DivergingLoss, "Diverging loss", AnomalySeverity.Warning, PolicyActs: true),
        // Skipping a step cannot revive a dead layer, and a batch-of-one warning is advice until the statistics turn NaN.
        new(AnomalyKind.VanishingGradient, "Vanishing gradient", AnomalySeverity.Warning, PolicyActs: false),
        new(AnomalyKind.BatchNormDegenerate, "Degenerate BatchNorm", AnomalySeverity.Warning, PolicyActs: false),
    }.ToFrozenDictionary(i => i.Kind);

    /// <summary>Every kind's entry, in declaration order of <see cref="AnomalyKind"/>.</summary>
    public static IReadOnlyList<AnomalyKindInfo> All { get; } = Enum.GetValues<AnomalyKind>().Select(k => Table[k]).ToArray();

    /// <summary>The entry for <paramref name="kind"/>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its title, severity and whether a policy acts on it.</returns>
    public static AnomalyKindInfo Of(AnomalyKind kind) =>
        Table.TryGetValue(kind, out var info) ? info : new AnomalyKindInfo(kind, kind.ToString(), AnomalySeverity.Critical, PolicyActs: true);

    /// <summary>Whether <paramref name="anomaly"/> carries NaN or infinite values in its evidence.</summary>
    /// <param name="anomaly">The event.</param>
    /// <returns>True when its NaN or Inf count is positive.</returns>
    public static bool CarriesNonFinite(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        return anomaly.NaNCount > 0 || anomaly.InfCount > 0;
    }

    /// <summary>The severity of one event: its kind's, raised to critical when it carries non-finite values.</summary>
    /// <param name="anomaly">The event.</param>
    /// <returns>The event's severity.</returns>
    public static AnomalySeverity SeverityOf(AnomalyEvent anomaly) =>
        CarriesNonFinite(anomaly) ? AnomalySeverity.Critical : Of(anomaly.Kind).Severity;

    /// <summary>Whether a policy (skip, roll back, throw) acts on one event: its kind says so, or it carries non-finite values.</summary>
    /// <param name="anomaly">The event.</param>
    /// <returns>True when the policy acts.</returns>
    public static bool IsActionable(AnomalyEvent anomaly) =>
        CarriesNonFinite(anomaly) || Of(anomaly.Kind).PolicyActs;
}
