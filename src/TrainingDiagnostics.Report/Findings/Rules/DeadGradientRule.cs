using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Parameters whose gradient norm was recorded and exactly zero at every recorded step (warning): no gradient
/// reaches them (a detached branch, dead ReLUs, a frozen layer left in the optimizer).
/// </summary>
internal sealed class DeadGradientRule : FindingRule
{
    public override string Id => "dead-gradient";

    /// <summary>Dead ReLUs say why no gradient gets through, and name these parameters.</summary>
    public override bool IsSuppressedBy(Finding other) => other.Rule == DyingReluRule.RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        string[] dead = run.Parameters.Rows.Where(l => l.Recorded > 0 && l.NonFinite == 0 && l.Max == 0).Select(l => l.Name).ToArray();
        if (dead.Length > 0)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"No gradient reaches {Names(dead)} (norm 0 at every recorded step)"),
                Detail = "Check for a detached tensor (.detach(), no_grad) on the path to the loss, dead ReLUs, or a layer that should be frozen.",
                ModulePath = dead[0],
            };
        }
    }
}
