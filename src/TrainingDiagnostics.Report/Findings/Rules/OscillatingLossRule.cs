using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Oscillating loss (warning): over the last half of the run the loss swings widely from step to step around a level it no
/// longer improves on, and stays far above zero; where a held-out loss was recorded, it swings too (the model itself jumps
/// between evaluations, not only the minibatches). Minibatch noise on a healthy run either rides on a falling trend or stays
/// small against the loss's initial level, around a loss close to zero. A training loss that ended above its start is a
/// collapse instead. The remedy lowers the learning rate by a factor measured in the run (<see cref="LearningRateFactor.Lower"/>).
/// </summary>
internal sealed class OscillatingLossRule : FindingRule
{
    public const string RuleId = "oscillating-loss";

    /// <summary>
    /// The swing that counts: the 10th-to-90th-percentile spread of the last half's losses about their moving mean, as a share of the
    /// loss's initial level. Minibatch noise in the healthy runs the rules were checked on stays under 0.1; a learning rate 10 to 20
    /// times too high gives 0.17 to 0.2 and more.
    /// </summary>
    public const double MinSwing = 0.15;

    /// <summary>No downward trend: the last quarter's mean is at least this share of the third quarter's (a loss still falling by 10 % per quarter of the run is converging).</summary>
    public const double FlatTrend = 0.9;

    /// <summary>A swinging loss far from zero: its last half's median stays above this share of its initial level (noise around a loss near zero is not oscillation).</summary>
    public const double MinLevel = 0.1;

    /// <summary>
    /// The held-out loss must swing too, when recorded: its mean change between successive evaluations over the last half, as a share of
    /// the initial level (about 0.01 on healthy runs, whose held-out loss moves smoothly; 0.05 and more with a learning rate far too high).
    /// </summary>
    public const double MinHeldOutSwing = 0.03;

    /// <summary>The fewest finite losses to judge the shape of a run by.</summary>
    public const int MinLosses = 40;

    public override string Id => RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.Profile is not { } p || p.Count < MinLosses || !(p.InitialLevel > 0) || Collapses.Loss(run) is not null)
        {
            yield break; // a training loss that ended above its start is a collapse, which says so with the same remedy
        }

        double initial = p.InitialLevel;
        double trend = p.ThirdQuarterMean > 0 ? p.LastQuarterMean / p.ThirdQuarterMean : 1;
        if (trend < FlatTrend || p.TailMedian < MinLevel * initial || p.TailSwing < MinSwing * initial)
        {
            yield break;
        }

        string heldOut = "";
        if (RunEvidence.HeldOutLoss(run) is { } metric)
        {
            var late = RunEvidence.Finite(metric).Where(v => v.Step >= p.TailFirstStep).ToArray();
            if (late.Length >= 3)
            {
                double swing = Enumerable.Range(1, late.Length - 1).Average(i => Math.Abs(late[i].Value - late[i - 1].Value));
                if (swing < MinHeldOutSwing * initial)
                {
                    yield break; // the model is steady on held-out data: the training loss's swings are minibatch noise
                }

                heldOut = Invariant($" {metric.Name} moved by {Format(swing)} on average between its {late.Length} evaluations over that half ({Format(late.Min(v => v.Value))} to {Format(late.Max(v => v.Value))}).");
            }
        }

        // Where it began: the first of the windows from which every window's mean stays near the band the loss swings in (within
        // one band's width of it: a window's mean may carry one spike, a descent or a blow-up lies farther out).
        double width = p.TailBand.P90 - p.TailBand.P10;
        long onset = p.TailFirstStep;
        for (int w = p.Windows.Count - 1; w >= 0 && p.Windows[w].Mean <= p.TailBand.P90 + width && p.Windows[w].Mean >= p.TailBand.P10 - width; w--)
        {
            onset = Math.Min(onset, p.Windows[w].FirstStep);
        }
        LearningRateFactor? factor = LearningRateFactor.Lower(run);
        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Title = Invariant($"Oscillating loss: from step {onset} it swings between {Format(p.TailBand.P10)} and {Format(p.TailBand.P90)} without falling"),
            Detail = Invariant($"Over the last half of the run the loss swings by {Format(p.TailSwing)} from step to step about its moving mean ({p.TailSwing / initial * 100:0}% of its initial level {Format(initial)}), ") +
                Invariant($"its last quarter averages {Format(p.LastQuarterMean)} against {Format(p.ThirdQuarterMean)} for the third, and its median {Format(p.TailMedian)} stays far above zero.{heldOut} ") +
                "The steps overshoot the minimum instead of descending into it: the learning rate is too high for this curvature.",
            Step = onset,
            Remedy = new Remedy
            {
                Action = RemedyActions.ScaleLearningRate,
                Factor = factor?.Value ?? LearningRateFactor.MildestCut,
                Text = factor?.Apply(run) ?? Invariant($"Halve the learning rate (x{Format(LearningRateFactor.MildestCut)}, the mildest cut that changes an oscillating regime) and look again: the run recorded no update ratios, curvature or earlier learning rate to size the cut by."),
            },
        };
    }
}
