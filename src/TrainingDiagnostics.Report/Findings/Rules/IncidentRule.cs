using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// One finding per kind of incident and place (kind, phase, module, operation): the first step, how often, the
/// message and the suggested fix. Severity from the kind table in Model (<see cref="AnomalyKinds"/>). Remedies where the
/// incident names one a program can apply: clipping for exploding gradients (at twice the run's median gradient norm), a lower
/// learning rate for a diverging loss, dropping the last batch for a BatchNorm batch of one.
/// </summary>
internal sealed class IncidentRule : FindingRule
{
    public const string RuleId = "incident";

    /// <summary>
    /// Clip at twice the run's median total gradient norm: ordinary steps (minibatch noise moves the norm by a factor of about 2)
    /// pass untouched, spikes of the exploding kind (10 times the median and more) are cut.
    /// </summary>
    public const double ClipHeadroom = 2;

    public override string Id => RuleId;

    /// <summary>
    /// A vanishing gradient where ReLUs died is that finding's symptom (the monitor sees a module that passes on a zero gradient,
    /// or parameters without one): the dying-ReLU finding says why, and leads.
    /// </summary>
    public override bool IsSuppressedBy(Finding own, Finding other) =>
        other.Rule == DyingReluRule.RuleId && own.Title.StartsWith(AnomalyKinds.Of(AnomalyKind.VanishingGradient).Title, StringComparison.Ordinal);

    public override IEnumerable<Finding> Evaluate(RunView run) =>
        run.Incidents.Groups.Select(g =>
        {
            AnomalyEvent first = g.First;
            string where = first.ModulePath is null ? "" : $" in {first.ModulePath}";
            string operation = first.Operation is null ? "" : $" ({first.Operation})";
            string times = g.Count == 1 ? "" : Invariant($", {g.Count} times");
            string detail = first.Suggestion is null ? first.Message : $"{first.Message} Fix: {first.Suggestion}";
            return new Finding
            {
                Severity = FindingRules.SeverityOf(first),
                Rule = RuleId,
                Title = Invariant($"{AnomalyKinds.Of(first.Kind).Title}{where}{operation}, {first.Phase.ToString().ToLowerInvariant()} pass, first at step {first.Step}{times}"),
                Detail = detail,
                Step = first.Step,
                ModulePath = first.ModulePath,
                Remedy = RemedyFor(first, run),
            };
        });

    private static Remedy? RemedyFor(AnomalyEvent anomaly, RunView run)
    {
        switch (anomaly.Kind)
        {
            case AnomalyKind.ExplodingGradient when run.Steps.MedianGradientNorm is double median && median > 0:
                double clip = ClipHeadroom * median;
                return new Remedy
                {
                    Action = RemedyActions.ClipGradients,
                    Factor = clip,
                    Text = Invariant($"Clip the gradients' global norm at {Format(clip)} (twice the run's median total gradient norm {Format(median)}: ordinary steps pass, spikes are cut), for example with clip_grad_norm_ before the optimizer's step."),
                };
            case AnomalyKind.DivergingLoss when LearningRateFactor.Lower(run) is { } factor:
                return new Remedy { Action = RemedyActions.ScaleLearningRate, Factor = factor.Value, Text = factor.Apply(run) };
            case AnomalyKind.BatchNormDegenerate when IsBatchOfOne(anomaly):
                return new Remedy
                {
                    Action = RemedyActions.DropLastBatch,
                    Target = anomaly.ModulePath,
                    Text = Invariant($"Drop the last, incomplete batch of each epoch (drop_last), so that {anomaly.ModulePath ?? "BatchNorm"} never sees a batch of one in train mode; then reset its running statistics."),
                };
            default:
                return null;
        }
    }

    /// <summary>A BatchNorm incident caused by a batch with one value per channel (its input's first dimension is 1).</summary>
    private static bool IsBatchOfOne(AnomalyEvent anomaly) =>
        anomaly.Message.Contains("one value per channel", StringComparison.Ordinal)
        || anomaly.Inputs.Any(i => i.Shape is { Count: >= 2 } shape && shape[0] == 1);
}
