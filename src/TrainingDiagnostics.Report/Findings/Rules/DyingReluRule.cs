using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Dying ReLU (warning): more than half of the units of a ReLU-family module output zero for every sample of the batch, in the
/// median of its recent readings (the monitor's <c>activation/dead_fraction/...</c> instrument). A dead unit gets no gradient, so
/// it stays dead: planted at initialization (a large negative bias), or killed by a learning rate that threw its
/// pre-activations below zero for every input. Placed at the activation module; the remedy re-initializes the layer that feeds
/// it when the parameter order tells which one does, else replaces the activation.
/// </summary>
internal sealed class DyingReluRule : FindingRule
{
    public const string RuleId = "dying-relu";

    /// <summary>The fewest recent readings that make a state rather than a moment (three readings span about 60 to 150 steps at the default schedules).</summary>
    public const int MinReadings = 3;

    public override string Id => RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        foreach (ActivationSummary module in run.Activations.Modules)
        {
            if (module.Measure != ActivationMeasure.DeadUnits || module.RecentCount < MinReadings || !(module.RecentMedian > ActivationSummary.MostUnits))
            {
                continue;
            }

            long onset = module.OnsetStep ?? module.FirstStep;
            bool atStart = module.FirstValue > ActivationSummary.MostUnits;
            bool entirely = module.RecentMedian >= ActivationSummary.EveryUnit;
            string share = entirely ? "every unit" : Invariant($"{module.RecentMedian * 100:0}% of the units");
            string history = atStart
                ? Invariant($"They were dead from the first reading ({module.FirstValue * 100:0}% at step {module.FirstStep}): the initialization (a large negative bias, or inputs far from zero) left them below zero for every input.")
                : Invariant($"They died during training: {module.FirstValue * 100:0}% were dead at step {module.FirstStep}, more than half from step {onset}. An update large enough to push a unit's pre-activation below zero for every input kills it for good; a learning rate too high is the usual cause.");
            string[] silent = run.Parameters.Rows.Where(r => r.Recorded > 0 && r.NonFinite == 0 && r.Max == 0).Select(r => r.Name).ToArray();
            string consequence = entirely
                ? " The layer's output is constant, so the model's output is too, and nothing before it learns" + (silent.Length > 0 ? $": no gradient reaches {Names(silent)}." : ".")
                : silent.Length > 0 ? $" No gradient reaches {Names(silent)}." : "";
            string? feeding = ModuleOrder.FeedingLayer(module.ModulePath, run);
            string lowerRate = atStart ? "" : " Lower the learning rate too, or the units die again.";
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = Id,
                Title = Invariant($"Dying ReLU: {share} of {module.ModulePath} output zero for every sample, from step {onset}"),
                Detail = Invariant($"The share of units of {module.ModulePath} that output zero for the whole batch: median {Format(module.RecentMedian)} over the last {module.RecentCount} readings (last {Format(module.LastValue)} at step {module.LastStep}). A dead unit passes no gradient, so it cannot recover by itself. ") + history + consequence,
                Step = onset,
                ModulePath = module.ModulePath,
                Remedy = feeding is not null
                    ? new Remedy
                    {
                        Action = RemedyActions.Reinitialize,
                        Target = feeding,
                        Text = $"Re-initialize {feeding}, the layer that feeds {module.ModulePath} (Kaiming-uniform weights, zero biases), so that its units are alive again.{lowerRate} If they keep dying, use LeakyReLU or GELU instead.",
                    }
                    : new Remedy
                    {
                        Action = RemedyActions.ReplaceActivation,
                        Target = module.ModulePath,
                        Text = $"Replace {module.ModulePath} by LeakyReLU or GELU, which keep a gradient for negative inputs, so that dead units can come back.{lowerRate}",
                    },
            };
        }
    }
}
