using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Frozen parameters (warning, one per parameter): a parameter receives non-zero gradients but never changes. Its update-to-weight
/// ratio is exactly 0 at every measurement to the end of the run (from its first, or from the step where it stopped moving:
/// a parameter group's learning rate set to 0), or, without update ratios, its weight norm never differs from the first one
/// while other parameters' norms do.
/// The optimizer does not hold it, or holds it with a zero learning rate. Placed at the parameter; the remedy adds it to the
/// optimizer.
/// </summary>
internal sealed class FrozenParametersRule : FindingRule
{
    /// <summary>
    /// The fewest measurements of no change (update ratios of 0, or equal weight norms) that make a frozen parameter rather than a
    /// skipped step: three, 30 steps apart at the default schedule of every 10 steps.
    /// </summary>
    public const int MinMeasurements = 3;

    public override string Id => "frozen-parameters";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var medians = run.Parameters.Rows.ToDictionary(r => r.Name, r => r.Median, StringComparer.Ordinal);

        // Without update ratios, an unchanged weight norm means something only when other parameters' norms do change: a log
        // whose every norm is constant says nothing about which parameter the optimizer holds.
        bool someWeightMoved = run.Parameters.Motion.Any(m => m.WeightNorms >= MinMeasurements && !m.WeightNormConstant);
        foreach (ParameterMotion m in run.Parameters.Motion)
        {
            bool byRatios = m.ZeroRunStart is long && m.ZeroRunLength >= MinMeasurements
                && m.PositiveGradientsDuringZeroRun >= MinMeasurements && 2 * m.PositiveGradientsDuringZeroRun > m.GradientsDuringZeroRun;
            bool byWeights = someWeightMoved && m.UpdateRatios == 0 && m.WeightNorms >= MinMeasurements && m.WeightNormConstant && m.PositiveGradients >= MinMeasurements;
            if (!byRatios && !byWeights)
            {
                continue;
            }

            bool never = byWeights || m.PositiveUpdates == 0;
            long step = never ? m.FirstStep : m.ZeroRunStart!.Value;
            string gradient = medians.GetValueOrDefault(m.Name) is double g ? Invariant($" (median gradient norm {Format(g)})") : "";
            string evidence = byRatios
                ? Invariant($"Its update-to-weight ratio was exactly 0 at {(never ? "every one" : "each")} of {m.ZeroRunLength} measurement(s){(never ? "" : Invariant($" from step {step} to the end, after {m.PositiveUpdates} that moved it"))}, while its gradient norm was above zero at {m.PositiveGradientsDuringZeroRun} of {m.GradientsDuringZeroRun} recorded steps{gradient}.")
                : Invariant($"Its weight norm was the same at all {m.WeightNorms} measurements, while its gradient norm was above zero at {m.PositiveGradients} recorded steps{gradient}.");
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = never
                    ? Invariant($"Frozen parameter: {m.Name} gets gradients but never changes")
                    : Invariant($"Frozen parameter: {m.Name} gets gradients but stopped changing at step {step}"),
                Detail = evidence + " The optimizer does not update it: it was left out of the optimizer's parameters, or its parameter group's learning rate is 0.",
                Step = step,
                ModulePath = m.Name,
                Remedy = new Remedy
                {
                    Action = RemedyActions.AddToOptimizer,
                    Target = m.Name,
                    Text = $"Add {m.Name} to the optimizer's parameters (or give its parameter group a non-zero learning rate). If freezing it is intended, set requires_grad to false so that its gradient is not computed.",
                },
            };
        }
    }
}
