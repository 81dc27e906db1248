using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>The log ends in a line cut mid-way (warning): the training crashed or was still running.</summary>
internal sealed class IncompleteLogRule : FindingRule
{
    public override string Id => "incomplete-log";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (!run.IsComplete)
        {
            string last = run.Steps.LastStep is long s ? Invariant($"after step {s}") : "before its first step";
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = $"The run log is incomplete: it was cut {last}",
                Detail = "The training crashed or was still writing. Everything recorded before the cut is shown.",
                Step = run.Steps.LastStep,
            };
        }
    }
}
