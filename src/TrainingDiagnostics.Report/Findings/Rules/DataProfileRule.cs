using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>The data profiles' own findings (scale spread, non-finite values, constant columns), with their severity.</summary>
internal sealed class DataProfileRule : FindingRule
{
    public override string Id => "data-profile";

    public override IEnumerable<Finding> Evaluate(RunView run) =>
        from profile in run.DataProfiles
        from finding in profile.Findings
        select new Finding
        {
            Severity = finding.Severity == AnomalySeverity.Critical ? FindingSeverity.Critical : FindingSeverity.Warning,
            Rule = finding.Rule,
            Title = finding.Title,
            Detail = finding.Detail,
            ModulePath = finding.Column,
        };
}
