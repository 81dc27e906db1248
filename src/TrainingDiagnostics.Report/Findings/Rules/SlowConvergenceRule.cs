using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Slow convergence (warning): the loss barely moves (it fell by less than <see cref="RunEvidence.StalledFall"/> of its start)
/// while the weights' updates are tiny against the weights (median update-to-weight ratio below the healthy
/// <see cref="RunEvidence.HealthyUpdateRatio"/>). The remedy raises the learning rate by the factor that brings the updates to
/// a healthy size (<see cref="LearningRateFactor.Raise"/>). Silent where the gradient does not reach the weights (vanishing
/// gradients, a dead layer): no learning rate fixes those; and where the loss ended above its start (a collapse: weights blown
/// up by a learning rate far too high also move little against their own norm).
/// </summary>
internal sealed class SlowConvergenceRule : FindingRule
{
    public const string RuleId = "slow-convergence";

    public override string Id => RuleId;

    public override bool IsSuppressedBy(Finding other) => other.Rule == VanishingGradientRule.RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        if (run.Activations.AnyLayerEntirelyDead || Collapses.Loss(run) is not null || RunEvidence.LossFall(run) is not double fall || fall >= RunEvidence.StalledFall
            || LearningRateFactor.Raise(run) is not { } factor || run.Steps.LossTrend is not { } trend)
        {
            yield break;
        }

        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Title = Invariant($"Slow convergence: the loss moved from {Format(trend.Start)} to {Format(trend.End)} while the weights barely changed"),
            Detail = Invariant($"The loss fell by {Math.Max(0, fall) * 100:0.#}% over {run.Steps.Count} steps (means of the first and last tenth), and {factor.How}. ") +
                "The gradient reaches the weights but each step moves them too little: the learning rate is too small (or a scheduler decayed it too early).",
            Step = run.Steps.FirstStep,
            Remedy = new Remedy
            {
                Action = RemedyActions.ScaleLearningRate,
                Factor = factor.Value,
                Text = factor.Apply(run),
            },
        };
    }
}
