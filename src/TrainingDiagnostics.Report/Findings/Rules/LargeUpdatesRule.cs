using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Weight parameters whose median update-to-weight ratio exceeds <see cref="FindingRules.LargeUpdateRatio"/> (warning): each
/// step rewrites a large share of the weights, usually a learning rate far too high. Biases and other vectors start at zero,
/// where any update is large against them: weight matrices only, where the run names them (see <see cref="RunEvidence.WeightLike"/>).
/// </summary>
internal sealed class LargeUpdatesRule : FindingRule
{
    public override string Id => "large-updates";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var large = RunEvidence.WeightLike(run.Parameters)
            .Where(l => l.MedianUpdateRatio > FindingRules.LargeUpdateRatio)
            .Select(l => (l.Name, Median: l.MedianUpdateRatio!.Value))
            .OrderByDescending(p => p.Median)
            .ToArray();
        if (large.Length > 0)
        {
            double raw = RunEvidence.TargetUpdateRatio / large[0].Median;
            double factor = Math.Clamp(raw, LearningRateFactor.SmallestCut, LearningRateFactor.MildestCut);
            var remedy = new LearningRateFactor(factor, Invariant($"{large[0].Name} moves by {Format(large[0].Median)} of its norm per step (median) where {Format(RunEvidence.TargetUpdateRatio)} is the middle of the healthy 1e-3 to 1e-2: x{Format(raw)}{(factor == raw ? "" : Invariant($", clamped to x{Format(factor)}"))}"));
            string others = large.Length > 1 ? Invariant($" (and {large.Length - 1} more parameters)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"Updates are large: {large[0].Name} moves by {Format(large[0].Median)} of its norm per step (median){others}"),
                Detail = "Healthy training usually sits near 1e-3. Lower the learning rate, or add warm-up.",
                ModulePath = large[0].Name,
                Remedy = new Remedy { Action = RemedyActions.ScaleLearningRate, Factor = remedy.Value, Text = remedy.Apply(run) },
            };
        }
    }
}
