using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Overfitting (warning): the held-out loss rose clearly from its best and stayed up, while the training loss did not worsen
/// (it kept falling, usually towards zero). The step is the best held-out step, where early stopping would have kept the model.
/// It replaces the collapse finding for such runs (a run whose training loss worsens too is still a collapse). A held-out loss
/// that creeps up while the held-out accuracy stays near its best is overconfidence (the predictions grow surer, not
/// wronger): the same finding, a warning, never a failure.
/// </summary>
internal sealed class OverfittingRule : FindingRule
{
    public const string RuleId = "overfitting";

    /// <summary>The fewest held-out evaluations to tell a rise from noise: a best value and a sustained rise need at least four.</summary>
    public const int MinEvaluations = 4;

    /// <summary>"Clearly": the held-out loss's last values sit at least 10 % above its best (smoothed), as a collapse must clear 10 % too.</summary>
    public const double MinRise = 0.1;

    /// <summary>
    /// And by at least 2 % of the training loss's initial level (0.05 for ten classes): a smaller rise is a few held-out samples
    /// growing more or less sure of themselves, which a small held-out set shows on healthy runs too.
    /// </summary>
    public const double MinRiseOfInitial = 0.02;

    public override string Id => RuleId;

    public override bool IsSuppressedBy(Finding other) => other.Rule == ChanceLevelLossRule.RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (RunEvidence.HeldOutLoss(run) is not { } metric || run.Steps.LossTrend is not { } trend || run.Steps.Profile is not { } profile
            || Collapses.Loss(run) is not null)
        {
            yield break; // a training loss that ended above its start is a collapse, whatever the held-out loss did
        }

        var values = RunEvidence.Finite(metric);
        int n = values.Length;
        if (n < MinEvaluations || values[^1].Step != metric.Steps[^1])
        {
            yield break; // too few evaluations, or the last one is not finite (a collapse says that)
        }

        // The best of the values' running medians over three evaluations: one lucky evaluation is not the best model.
        double[] smooth = Enumerable.Range(0, n).Select(i => Median.Of(values[Math.Max(0, i - 1)..Math.Min(n, i + 2)].Select(v => v.Value).ToArray())!.Value).ToArray();
        int best = Array.IndexOf(smooth, smooth.Min());
        int tail = Math.Max(2, n / 5);
        if (best >= n - tail)
        {
            yield break;
        }

        double bestLevel = smooth[best];
        var last = values[(n - tail)..];
        double end = last.Average(v => v.Value);
        if (!(end > (1 + MinRise) * bestLevel) || !(end - bestLevel > MinRiseOfInitial * profile.InitialLevel) || last.Any(v => v.Value <= bestLevel))
        {
            yield break; // no clear, sustained rise
        }

        // The best evaluation itself, within the smoothing window: the step to stop at.
        var around = values[Math.Max(0, best - 1)..Math.Min(n, best + 2)];
        var stop = around.MinBy(v => v.Value);

        // The training loss just before that step (what the model had learnt by then) against its end: one that worsened too is a
        // collapse, not overfitting; and one that spiked in between was no longer learning its training data by heart.
        long span = Math.Max(1, ((run.StepRange?.Max ?? stop.Step) - (run.StepRange?.Min ?? stop.Step)) / 20);
        double trainThen = profile.MeanOver(stop.Step - span, stop.Step) ?? trend.Start;
        double? highestSince = profile.Windows.Where(w => w.FirstStep > stop.Step).Select(w => (double?)w.Mean).Max();
        bool trainingFell = trend.End <= (1 - MinRise) * trainThen;
        bool trainingWorsened = trend.End > (1 + FindingRules.CollapseMargin) * trainThen
            || highestSince > (1 + FindingRules.CollapseMargin) * Math.Max(trainThen, profile.InitialLevel);
        MetricHistory? score = RunEvidence.HeldOutScore(run);
        double? scoreThen = score is null ? null : RunEvidence.ValueAt(score, stop.Step);
        double? scoreNow = score is null ? null : RunEvidence.ValueAt(score, long.MaxValue);
        bool scoreHeld = scoreThen is double t && scoreNow is double w && w >= t - (FindingRules.CollapseMargin * Math.Abs(t));
        if (trainingWorsened || !(trainingFell || scoreHeld))
        {
            yield break; // a collapse, or a held-out loss that rose for another reason than learning the training data by heart
        }

        string training = trainingFell
            ? Invariant($"the training loss kept falling ({Format(trainThen)} around step {stop.Step}, {Format(trend.End)} at the end)")
            : Invariant($"the training loss stayed near {Format(trend.End)}");
        string title, accuracy = "";
        if (scoreHeld)
        {
            title = Invariant($"Overfitting (overconfidence): {metric.Name} rose from {Format(stop.Value)} (step {stop.Step}) to {Format(values[^1].Value)} while {score!.Name} stayed at {Format(scoreNow!.Value)}");
            accuracy = Invariant($" {score.Name} was {Format(scoreThen!.Value)} at step {stop.Step} and {Format(scoreNow.Value)} at the end: the model is not wrong more often, it grows surer of its mistakes, which the loss punishes.");
        }
        else
        {
            title = Invariant($"Overfitting: {metric.Name} rose from {Format(stop.Value)} (step {stop.Step}) to {Format(values[^1].Value)} while the training loss kept falling");
            if (score is not null && scoreThen is double a && scoreNow is double z)
            {
                accuracy = Invariant($" {score.Name} went from {Format(a)} at step {stop.Step} to {Format(z)}.");
            }
        }

        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Title = title,
            Detail = Invariant($"{metric.Name} was best at step {stop.Step} ({Format(stop.Value)}; {Format(bestLevel)} smoothed over neighbouring evaluations), and its last {tail} evaluations average {Format(end)}, {(end / bestLevel - 1) * 100:0}% higher, while {training}.{accuracy} ") +
                "The model learns its training data by heart and generalizes worse with every further step.",
            Step = stop.Step,
            Remedy = new Remedy
            {
                Action = RemedyActions.EarlyStop,
                Text = Invariant($"Stop at step {stop.Step} and keep that checkpoint (early stopping on {metric.Name}, with a patience of a few evaluations); to train longer, regularize (weight decay, dropout, data augmentation) or add data."),
            },
        };
    }
}
