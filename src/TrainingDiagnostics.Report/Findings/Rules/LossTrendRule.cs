using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// The loss trend over the finite losses: the mean of the last tenth against the mean of the first tenth. A fall is
/// good news (info); no fall is a warning. Needs at least ten finite losses. Silent when the loss collapsed (the
/// collapse finding says it, with the numbers).
/// </summary>
internal sealed class LossTrendRule : FindingRule
{
    public override string Id => "loss-trend";

    /// <summary>The rules that say why a loss did not fall, with a remedy: the generic warning would only repeat them.</summary>
    private static readonly string[] Explanations =
    [
        ChanceLevelLossRule.RuleId, SlowConvergenceRule.RuleId, VanishingGradientRule.RuleId, DyingReluRule.RuleId, OscillatingLossRule.RuleId,
        "saturated-activation", "frozen-parameters", UnnormalizedInputRule.RuleId,
    ];

    public override bool IsSuppressedBy(Finding own, Finding other) =>
        own.Severity == FindingSeverity.Warning && Explanations.Contains(other.Rule) && other.Severity >= FindingSeverity.Warning;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.LossTrend is not { } trend || Collapses.Loss(run) is not null)
        {
            yield break;
        }

        (double start, double end) = (trend.Start, trend.End);
        if (end < start)
        {
            double percent = start > 0 ? (start - end) / start * 100 : double.NaN;
            string by = double.IsFinite(percent) ? Invariant($" (-{percent:0}%)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = Id,
                Title = $"The loss fell from {Format(start)} to {Format(end)}{by}",
                Detail = "Means of the first and the last tenth of the finite losses.",
            };
        }
        else
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = $"The loss did not fall: {Format(start)} at the start, {Format(end)} at the end",
                Detail = "Means of the first and the last tenth of the finite losses. Check the learning rate, the labels and the loss function.",
            };
        }
    }
}
