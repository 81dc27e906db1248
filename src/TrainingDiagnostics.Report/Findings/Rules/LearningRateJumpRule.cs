using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// The learning rate grew by <see cref="FindingRules.LearningRateJumpFactor"/> or more from one recorded step to the
/// next (info: schedules with restarts do that on purpose; the collapse finding names the jump when the run collapsed).
/// </summary>
internal sealed class LearningRateJumpRule : FindingRule
{
    public override string Id => "learning-rate-jump";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.LearningRateJump is { } jump)
        {
            string more = jump.Count > 1 ? Invariant($", and {jump.Count - 1} more time(s)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = Id,
                Title = Invariant($"The learning rate rose x{jump.Factor:0.#} at step {jump.Step} ({Format(jump.From)} to {Format(jump.To)}){more}"),
                Detail = "See the learning-rate chart under the loss.",
                Step = jump.Step,
            };
        }
    }
}
