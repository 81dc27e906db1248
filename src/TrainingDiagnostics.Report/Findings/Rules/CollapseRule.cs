using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// The training collapsed (critical): the loss ended clearly above where it started, or a metric judged by its name
/// ended more than <see cref="FindingRules.CollapseMargin"/> worse than its first value, or not finite. One finding with
/// every piece of evidence, at the step where the run was last at its best, naming a learning-rate jump when there was one.
/// </summary>
internal sealed class CollapseRule : FindingRule
{
    public override string Id => "collapse";

    /// <summary>
    /// Overfitting, a chance-level loss and an oscillating loss say it better: each fires only where the training loss did not
    /// worsen, so the collapse would rest on held-out metrics alone (a model that learns its training data by heart, noise
    /// labels, or a held-out metric that swings with the model and ended on a bad evaluation).
    /// </summary>
    public override bool IsSuppressedBy(Finding other) => other.Rule is OverfittingRule.RuleId or ChanceLevelLossRule.RuleId or OscillatingLossRule.RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var evidence = new List<string>();
        long? turn = null;
        foreach (MetricHistory metric in run.Metrics.Where(m => m.Direction != MetricDirection.Unknown))
        {
            if (Collapses.Metric(metric) is { } collapse)
            {
                evidence.Add(collapse.Text);
                turn = turn is long t ? Math.Min(t, collapse.BestStep) : collapse.BestStep;
            }
        }

        string lossStory = "";
        if (Collapses.Loss(run) is { } loss)
        {
            evidence.Add(Invariant($"the loss ended at {Format(loss.End)}, above its start ({Format(loss.Start)})"));
            turn = turn is long t ? Math.Min(t, loss.BestStep) : loss.BestStep;
            lossStory = loss.Best < loss.Start - (FindingRules.CollapseMargin * Math.Abs(loss.Start))
                ? Invariant($" The training loss (means of a tenth of the steps) fell from {Format(loss.Start)} to {Format(loss.Best)} by step {loss.BestStep}, then rose to {Format(loss.End)}.")
                : "";
        }

        if (evidence.Count == 0)
        {
            yield break;
        }

        string jump = run.Steps.LearningRateJump is { } j
            ? Invariant($" The learning rate rose x{j.Factor:0.#} at step {j.Step} ({Format(j.From)} to {Format(j.To)}): a learning rate far too high is the usual cause.")
            : "";
        LearningRateFactor? factor = LearningRateFactor.Lower(run);
        yield return new Finding
        {
            Severity = FindingSeverity.Critical,
            Rule = Id,
            Remedy = factor is null ? null : new Remedy { Action = RemedyActions.ScaleLearningRate, Factor = factor.Value, Text = factor.Apply(run) },
            Title = "Training collapsed: " + string.Join("; ", evidence),
            Detail = Invariant($"The run was last at its best around step {turn} and lost what it had learnt after that.{lossStory}{jump} Look at the incidents just after step {turn}; lower the learning rate, or add warm-up or gradient clipping."),
            Step = turn,
        };
    }
}
