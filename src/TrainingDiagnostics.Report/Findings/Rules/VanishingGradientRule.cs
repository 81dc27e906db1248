using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Vanishing gradient across depth (warning): the first layers' weight gradients are orders of magnitude smaller than the last
/// layer's (median gradient norms over the run) and the loss does not fall. Placed at the earliest affected layer, which learns
/// least; the step is where the gap opened (at the start, usually). The remedy replaces the saturating activations. The
/// monitor's own <c>VanishingGradient</c> incident (a gradient that collapses over time, or dies in one module) is another story.
/// </summary>
internal sealed class VanishingGradientRule : FindingRule
{
    public const string RuleId = "vanishing-gradient";

    /// <summary>
    /// Two orders of magnitude: in healthy networks the first and last layers' gradient norms stay within about one order
    /// (within a factor 3 in the runs the rules were checked on); a gap of 100 starves the first layers of learning.
    /// </summary>
    public const double GapRatio = 1e-2;

    public override string Id => RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var rows = RunEvidence.WeightLike(run.Parameters).Where(r => r.Median is double m && m > 0 && double.IsFinite(m)).ToList();
        if (rows.Count < 2 || Collapses.Loss(run) is not null || RunEvidence.LossFall(run) is not double fall || fall >= RunEvidence.StalledFall)
        {
            yield break;
        }

        // The first layer in the parameters' order is the earliest one: across depth it is the one the gradient reaches last.
        (LayerGradientSummary first, LayerGradientSummary last) = (rows[0], rows[^1]);
        double lastNorm = last.Median!.Value;
        if (!(first.Median!.Value < GapRatio * lastNorm) || RunEvidence.Owner(first.Name) == RunEvidence.Owner(last.Name))
        {
            yield break;
        }

        string place = RunEvidence.Owner(first.Name);
        double gap = lastNorm / first.Median!.Value;
        string chain = string.Join(", ", Chain(rows).Select(r => Invariant($"{r.Name} {Format(r.Median!.Value)}")));
        string? activation = ModuleOrder.ActivationAfter(place, run) ?? run.Activations.ModulePaths.FirstOrDefault();
        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Title = Invariant($"Vanishing gradient: {first.Name} gets a gradient {Format(gap)} times smaller than {last.Name}, and the loss does not fall"),
            Detail = Invariant($"Median gradient norms from the first to the last layer: {chain} ({Math.Log10(gap):0.#} orders of magnitude). ") +
                Invariant($"The loss fell by {Math.Max(0, fall) * 100:0.#}% over the run. Each saturating activation (sigmoid, tanh) scales the gradient down on its way back, so the first layers barely learn."),
            Step = Onset(run, first.Name, last.Name) ?? run.Steps.FirstStep,
            ModulePath = place,
            Remedy = new Remedy
            {
                Action = RemedyActions.ReplaceActivation,
                Target = activation,
                Text = $"Replace the saturating activations{(activation is null ? "" : $" (from {activation} on)")} by ReLU or GELU, or add residual connections or normalization layers, so that the gradient reaches {place}; initialize with Kaiming (ReLU) or Xavier (tanh).",
            },
        };
    }

    /// <summary>At most six rows, first to last, evenly spread.</summary>
    private static IEnumerable<LayerGradientSummary> Chain(List<LayerGradientSummary> rows) =>
        rows.Count <= 6 ? rows : Enumerable.Range(0, 6).Select(i => rows[(int)Math.Round(i * (rows.Count - 1) / 5.0)]);

    /// <summary>The first stretch of steps from which the first row's gradient stayed below the gap against the last row's, or null.</summary>
    private static long? Onset(RunView run, string firstName, string lastName)
    {
        (long[] start, double[][] norms) = run.Parameters.GradientTrend;
        int f = IndexOf(run, firstName), l = IndexOf(run, lastName);
        if (f < 0 || l < 0 || f >= norms.Length || l >= norms.Length)
        {
            return null;
        }

        long? onset = null;
        for (int c = 0; c < start.Length; c++)
        {
            double a = norms[f][c], b = norms[l][c];
            if (a < 0 || b <= 0 || !double.IsFinite(a) || !double.IsFinite(b))
            {
                continue; // nothing recorded in this stretch
            }

            onset = a < GapRatio * b ? onset ?? start[c] : null;
        }

        return onset;
    }

    private static int IndexOf(RunView run, string name)
    {
        for (int i = 0; i < run.Parameters.Rows.Count; i++)
        {
            if (run.Parameters.Rows[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
