using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// What the monitor's Heal policy did: one finding per action, with its outcome. A note when the run recovered
/// ("healed: lr 0.3 -> 0.03 at step 120, loss back below its pre-spike level"), a warning when it did not or was not judged.
/// </summary>
internal sealed class HealRule : FindingRule
{
    public override string Id => "heal";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var heals = run.MonitorEvents.Heals;
        foreach (HealRecord action in heals.Where(h => h.AppliedAt is null))
        {
            HealRecord? outcome = heals.FirstOrDefault(h => h.AppliedAt == action.Step && h.Action == action.Action);
            string what = Describe(action);
            bool healed = outcome?.Healed == true;
            string result = outcome is null ? "its outcome was not judged before the run ended"
                : outcome.Outcome ?? (healed ? "the run recovered" : "the run did not recover");
            yield return new Finding
            {
                Severity = healed ? FindingSeverity.Info : FindingSeverity.Warning,
                Rule = Id,
                Title = healed ? Invariant($"Healed: {what} at step {action.Step}, {result}") : Invariant($"Heal attempted: {what} at step {action.Step}; {result}"),
                Detail = action.Reason,
                Step = action.Step,
                ModulePath = action.Target,
            };
        }
    }

    private static string Describe(HealRecord action) => action.Action switch
    {
        RemedyActions.ScaleLearningRate when action.From is double from && action.To is double to => $"lr {Format(from)} -> {Format(to)}",
        RemedyActions.ClipGradients when action.Factor is double norm => $"gradients clipped to norm {Format(norm)}",
        _ => action.Factor is double f ? $"{action.Action} ({Format(f)})" : action.Action,
    };
}
