using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Saturated activation (warning): more than half of a sigmoid or tanh module's outputs sit on its flat tails, where the
/// derivative is below about 1 % of its maximum, in the median of its recent readings (the monitor's
/// <c>activation/saturated_fraction/...</c> instrument). Small pre-activations give outputs near the middle, never on the
/// tails, so they do not count. Saturated units pass almost no gradient. Placed at the activation module; saturated from the
/// start, the remedy re-initializes the layer that feeds it (at a smaller scale) when the parameter order tells which one does,
/// else (or when it saturated during training) it replaces the activation.
/// </summary>
internal sealed class SaturatedActivationRule : FindingRule
{
    public override string Id => "saturated-activation";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        foreach (ActivationSummary module in run.Activations.Modules)
        {
            if (module.Measure != ActivationMeasure.Saturation || module.RecentCount < DyingReluRule.MinReadings || !(module.RecentMedian > ActivationSummary.MostUnits))
            {
                continue;
            }

            long onset = module.OnsetStep ?? module.FirstStep;
            bool atStart = module.FirstValue > ActivationSummary.MostUnits;
            string history = atStart
                ? Invariant($"Saturated from the first reading ({module.FirstValue * 100:0}% at step {module.FirstStep}): the pre-activations start far from zero (weights initialized too large, or unscaled inputs).")
                : Invariant($"It saturated during training: {module.FirstValue * 100:0}% at step {module.FirstStep}, more than half from step {onset} (weights grown by large updates: a learning rate too high is the usual cause).");
            string? feeding = atStart ? ModuleOrder.FeedingLayer(module.ModulePath, run) : null;
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"Saturated activation: {module.RecentMedian * 100:0}% of the outputs of {module.ModulePath} sit on its flat tails, from step {onset}"),
                Detail = Invariant($"The share of outputs of {module.ModulePath} where the derivative is below about 1% of its maximum: median {Format(module.RecentMedian)} over the last {module.RecentCount} readings (last {Format(module.LastValue)} at step {module.LastStep}). There the gradient is almost zero, so these units barely learn and starve the layers before them. ") + history,
                Step = onset,
                ModulePath = module.ModulePath,
                Remedy = feeding is not null
                    ? new Remedy
                    {
                        Action = RemedyActions.Reinitialize,
                        Target = feeding,
                        Text = $"Re-initialize {feeding}, the layer that feeds {module.ModulePath}, at a smaller scale (Xavier/Glorot initialization, which keeps sigmoid and tanh inputs near zero), and standardize its inputs.",
                    }
                    : new Remedy
                    {
                        Action = RemedyActions.ReplaceActivation,
                        Target = module.ModulePath,
                        Text = $"Replace {module.ModulePath} by an activation that does not saturate (ReLU, GELU){(atStart ? "" : ", or lower the learning rate so the weights stop growing")}.",
                    },
            };
        }
    }
}
