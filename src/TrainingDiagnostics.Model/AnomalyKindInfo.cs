namespace TrainingDiagnostics.Model;

/// <summary>What one <see cref="AnomalyKind"/> means: its title, how much it matters, and whether a policy acts on it.</summary>
/// <param name="Kind">The kind described.</param>
/// <param name="Title">A short human title, for example <c>"Non-finite gradient"</c>.</param>
/// <param name="Severity">The severity of an event of this kind whose evidence holds no NaN or infinity (an event that
/// carries non-finite values is always <see cref="AnomalySeverity.Critical"/>).</param>
/// <param name="PolicyActs">Whether the monitor's policy (skip, roll back, throw) acts on an event of this kind whose
/// evidence holds no NaN or infinity. Events that carry non-finite values are always acted on.</param>
public sealed record AnomalyKindInfo(AnomalyKind Kind, string Title, AnomalySeverity Severity, bool PolicyActs);
