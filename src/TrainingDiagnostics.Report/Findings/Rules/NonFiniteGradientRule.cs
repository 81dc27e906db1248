using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Non-finite gradient norms in the step records (critical): the first step and the parameters that had one then.
/// For runs recorded without a monitor: suppressed by a critical incident, which already names the place.
/// </summary>
internal sealed class NonFiniteGradientRule : FindingRule
{
    public override string Id => "nonfinite-gradient";

    public override bool IsSuppressedBy(Finding other) => other.Rule == IncidentRule.RuleId && other.Severity == FindingSeverity.Critical;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        ParametersView p = run.Parameters;
        if (p.FirstNonFiniteGradientStep is long step)
        {
            IReadOnlyList<string> names = p.FirstNonFiniteGradientNames;
            string which = names.Count == 0 ? "" : " in " + Names(names);
            yield return new Finding
            {
                Severity = FindingSeverity.Critical,
                Rule = Id,
                Title = Invariant($"Non-finite gradient{which} at step {step} ({p.NonFiniteGradientSteps} steps affected)"),
                Detail = "A NaN or infinity in a gradient corrupts every parameter it reaches at the next update.",
                Step = step,
                ModulePath = names.FirstOrDefault(),
            };
        }
    }
}
