using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Parameters whose median update-to-weight ratio exceeds <see cref="FindingRules.LargeUpdateRatio"/> (warning): each
/// step rewrites a large share of the weights, usually a learning rate far too high.
/// </summary>
internal sealed class LargeUpdatesRule : FindingRule
{
    public override string Id => "large-updates";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var large = run.Parameters.Rows
            .Where(l => l.MedianUpdateRatio > FindingRules.LargeUpdateRatio)
            .Select(l => (l.Name, Median: l.MedianUpdateRatio!.Value))
            .OrderByDescending(p => p.Median)
            .ToArray();
        if (large.Length > 0)
        {
            string others = large.Length > 1 ? Invariant($" (and {large.Length - 1} more parameters)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"Updates are large: {large[0].Name} moves by {Format(large[0].Median)} of its norm per step (median){others}"),
                Detail = "Healthy training usually sits near 1e-3. Lower the learning rate, or add warm-up.",
                ModulePath = large[0].Name,
            };
        }
    }
}
