using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// The data profiles' own findings (non-finite values, constant columns, the older <c>data-scale-spread</c>), with their severity;
/// an unnormalized input is <see cref="UnnormalizedInputRule"/>'s.
/// </summary>
internal sealed class DataProfileRule : FindingRule
{
    public override string Id => "data-profile";

    public override IEnumerable<Finding> Evaluate(RunView run) =>
        from profile in run.DataProfiles
        from finding in profile.Findings
        where finding.Rule != UnnormalizedInputRule.RuleId
        select new Finding
        {
            Severity = finding.Severity == AnomalySeverity.Critical ? FindingSeverity.Critical : FindingSeverity.Warning,
            Rule = finding.Rule,
            Title = finding.Title,
            Detail = finding.Detail,
            ModulePath = finding.Column,
            Remedy = finding.Rule == LegacyScaleSpread
                ? new Remedy
                {
                    Action = RemedyActions.StandardizeInputs,
                    Target = UnnormalizedInputRule.Place,
                    Text = "Standardize each input feature with its mean and standard deviation, measured on the training data (in ML.NET, NormalizeMeanVariance before the trainer).",
                }
                : null,
        };

    /// <summary>The id older profiling stages gave an unnormalized input (logs written before <c>unnormalized-input</c>).</summary>
    private const string LegacyScaleSpread = "data-scale-spread";
}
