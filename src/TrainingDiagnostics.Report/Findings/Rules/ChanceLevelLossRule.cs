using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Chance-level loss (warning): the model learns nothing from its labels. Its loss stays at the level it started from, the
/// loss of a constant prediction for a classifier initialized as usual (ln K for K balanced classes): the held-out loss never
/// gets clearly below it (when recorded; a model can memorize noise labels, so the training loss alone could mislead), nor the
/// training loss otherwise, and the training loss does not climb above it either. Silent where another cause explains the
/// stall: tiny updates (slow convergence), vanishing gradients, a swinging loss, a training loss that collapsed, or a layer
/// entirely dead.
/// </summary>
internal sealed class ChanceLevelLossRule : FindingRule
{
    public const string RuleId = "chance-level-loss";

    /// <summary>
    /// "At the level" of the start: within 10 % of it. The healthy runs the rules were checked on get 60 % to 99 % below their initial
    /// loss; the runs with shuffled labels stayed within 2 % on held-out data.
    /// </summary>
    public const double Margin = 0.1;

    private static readonly string[] Causes = [SlowConvergenceRule.RuleId, VanishingGradientRule.RuleId, OscillatingLossRule.RuleId];

    public override string Id => RuleId;

    public override bool IsSuppressedBy(Finding other) => Causes.Contains(other.Rule);

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Steps.Profile is not { } p || p.Count < OscillatingLossRule.MinLosses || !(p.InitialLevel > 0)
            || run.Steps.LossTrend is not { } trend || run.Activations.AnyLayerEntirelyDead || Collapses.Loss(run) is not null)
        {
            yield break;
        }

        double initial = p.InitialLevel;
        if (trend.End > (1 + Margin) * initial)
        {
            yield break; // the loss climbed: not a constant prediction
        }

        string evidence, level;
        var heldOut = RunEvidence.HeldOutLoss(run) is { } metric ? RunEvidence.Finite(metric) : [];
        if (heldOut.Length >= 2)
        {
            var best = heldOut.MinBy(v => v.Value);
            if (best.Value < (1 - Margin) * initial)
            {
                yield break;
            }

            evidence = Invariant($"{RunEvidence.HeldOutLoss(run)!.Name} was never below {Format(best.Value)} (step {best.Step}) over {heldOut.Length} evaluations, and the training loss ended at {Format(trend.End)}");
            level = Invariant($"{RunEvidence.HeldOutLoss(run)!.Name} never got below {Format(best.Value)}");
        }
        else
        {
            if (trend.Best < (1 - Margin) * initial)
            {
                yield break;
            }

            evidence = Invariant($"the training loss was never below {Format(trend.Best)} (mean of a tenth of the steps, up to step {trend.BestStep}) and ended at {Format(trend.End)}");
            level = Invariant($"the loss stays at {Format(trend.End)}");
        }

        string score = RunEvidence.HeldOutScore(run) is { } s && RunEvidence.Finite(s) is { Length: > 0 } values
            ? Invariant($" {s.Name} stayed between {Format(values.Min(v => v.Value))} and {Format(values.Max(v => v.Value))}.")
            : "";
        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Title = Invariant($"Chance-level loss: {level}, the level of a constant prediction ({Format(initial)} at the start)"),
            Detail = Invariant($"The loss started at {Format(initial)} (median of the first {p.InitialCount} steps){LnK(initial)}; {evidence}: within {Margin * 100:0}% of the start.{score} ") +
                Invariant($"{Updates(run)}the model predicts no better than the label frequencies: the labels carry no information it can learn from the inputs."),
            Step = run.Steps.FirstStep,
            Remedy = new Remedy
            {
                Action = RemedyActions.CheckLabels,
                Text = "Check that each label belongs to its input: a shuffle applied to the features but not to the labels, a misaligned join, or a noise column used as the label teach nothing. A model that cannot drive its training loss down on a hundred examples is not being shown learnable labels.",
            },
        };
    }

    /// <summary>What the update ratios say: the optimizer moves the weights, so the learning rate is not the reason.</summary>
    private static string Updates(RunView run) =>
        RunEvidence.WeightUpdateRatio(run) is { } updates
            ? Invariant($"The weights move by {Format(updates.Median)} of their norm per step (median), not too little, yet ")
            : "Yet ";

    /// <summary>", ln K for K balanced classes" when the level is within 2 % of ln K for K from 2 to 20 (a classifier's constant prediction).</summary>
    private static string LnK(double level)
    {
        for (int k = 2; k <= 20; k++)
        {
            if (Math.Abs(level - Math.Log(k)) < 0.02 * Math.Log(k))
            {
                return Invariant($", close to ln {k} = {Format(Math.Log(k))}, the loss of predicting {k} balanced classes equally");
            }
        }

        return "";
    }
}
