using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>Steps whose update the monitor advised to skip (warning).</summary>
internal sealed class SkippedStepsRule : FindingRule
{
    public override string Id => "skipped-steps";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.FirstSkippedStep is long first)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"{run.Steps.SkippedCount} update(s) skipped by the monitor, first at step {first}"),
                Detail = "A skipped step protects the weights from a bad batch; many of them mean the cause is still there.",
                Step = first,
            };
        }
    }
}
