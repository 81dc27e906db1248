using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>Good news when there is nothing to report: no incident and no non-finite loss or gradient in the records (info).</summary>
internal sealed class NoIncidentsRule : FindingRule
{
    public override string Id => "no-incidents";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.Count > 0 && run.Incidents.Count == 0 && run.Steps.NonFiniteLossCount == 0 && !run.Parameters.AnyNonFiniteLayerGradient)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = Id,
                Title = Invariant($"No incidents in {run.Steps.Count} steps: loss and gradients stayed finite"),
            };
        }
    }
}
