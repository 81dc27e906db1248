namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>A healthy control: the warnings the report raised on it (target: none).</summary>
/// <param name="Scenario">The control.</param>
/// <param name="Warnings">The rule ids and titles of its findings of at least warning level.</param>
/// <param name="Accuracy">Its last validation accuracy.</param>
/// <param name="Elapsed">Its training time.</param>
public sealed record HealthyResult(SilentFaultScenario Scenario, IReadOnlyList<string> Warnings, double Accuracy, TimeSpan Elapsed);
