using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>A NaN or infinite loss in the step records (critical), with the first step and the count.</summary>
internal sealed class NonFiniteLossRule : FindingRule
{
    public override string Id => "nonfinite-loss";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.FirstNonFiniteLossStep is long step)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Critical,
                Rule = Id,
                Title = Invariant($"The loss became {Named(run.Steps.FirstNonFiniteLoss)} at step {step} ({run.Steps.NonFiniteLossCount} of {run.Steps.Count} steps non-finite)"),
                Detail = "Once the loss is not finite, no update can be trusted. Look at the first incident above it for the module that produced the value.",
                Step = step,
            };
        }
    }
}
