using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>An observed ML.NET pipeline stage whose fit ended in an error (critical).</summary>
internal sealed class PipelineErrorRule : FindingRule
{
    public override string Id => "pipeline-error";

    public override IEnumerable<Finding> Evaluate(RunView run) =>
        from fit in run.ObservedFits
        where fit.Error is not null
        select new Finding
        {
            Severity = FindingSeverity.Critical,
            Rule = Id,
            Title = Invariant($"Pipeline stage '{fit.Name}' failed after {fit.DurationMilliseconds / 1000:F1} s"),
            Detail = fit.Error!,
        };
}
