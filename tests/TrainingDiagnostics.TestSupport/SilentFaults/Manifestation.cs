using System.Globalization;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The benchmark's ground truth, measured by the harness itself and never by the report's rules: did the planted problem
/// really show in the run? A scenario whose plant did not take proves nothing about detection, so the results table says so.
/// </summary>
public static class Manifestation
{
    /// <summary>Whether <paramref name="problem"/> shows in <paramref name="faulty"/> (against the healthy <paramref name="reference"/>), with the evidence.</summary>
    public static (bool Shown, string Evidence) Check(string problem, TrainingOutcome faulty, TrainingOutcome reference)
    {
        ArgumentNullException.ThrowIfNull(faulty);
        ArgumentNullException.ThrowIfNull(reference);
        if (!faulty.Losses.All(double.IsFinite))
        {
            return (false, "the loss became non-finite: not a silent fault");
        }

        return problem switch
        {
            SilentProblems.DyingRelu => Activation(faulty, "of units dead on every training row"),
            SilentProblems.SaturatedActivation => Activation(faulty, "of outputs within 0.01 of a bound"),
            SilentProblems.VanishingGradient => Vanishing(faulty),
            SilentProblems.OscillatingLoss => Oscillating(faulty, reference),
            SilentProblems.SlowConvergence => Slow(faulty, reference),
            SilentProblems.ChanceLevelLoss => Chance(faulty),
            SilentProblems.Overfitting => Overfit(faulty),
            SilentProblems.FrozenParameters => Frozen(faulty),
            SilentProblems.UnnormalizedInput => Unnormalized(faulty),
            _ => (false, $"unknown problem '{problem}'"),
        };
    }

    private static (bool, string) Activation(TrainingOutcome run, string what)
    {
        var worst = run.ActivationHealth.Where(h => double.IsFinite(h.Value)).OrderByDescending(h => h.Value).FirstOrDefault();
        return worst.Key is null ? (false, "no activation measured") : (worst.Value >= 0.5, Invariant($"{worst.Key}: {worst.Value:P0} {what}"));
    }

    private static (bool, string) Vanishing(TrainingOutcome run)
    {
        IReadOnlyList<StepRecord> steps = run.Run.Steps;
        string first = steps[0].Layers[0].Name, last = steps[0].Layers[^2].Name;
        double[] ratios = steps
            .Select(s => (First: s.Layers[0].GradientNorm, Last: s.Layers[^2].GradientNorm))
            .Where(g => g.First is double && g.Last is double l && l > 0)
            .Select(g => g.First!.Value / g.Last!.Value)
            .Order()
            .ToArray();
        double median = ratios.Length == 0 ? double.NaN : ratios[ratios.Length / 2];
        double fall = Fall(run.Losses);
        return (median <= 1e-2 && fall < 0.1, Invariant($"median gradient norm {first} / {last} = {median:G2}; the loss fell {fall:P0}"));
    }

    private static (bool, string) Oscillating(TrainingOutcome run, TrainingOutcome reference)
    {
        // After the first tenth of the steps: means over 10 steps swing by more than 30 % of their level, with no downward
        // trend (the last third no lower than 80 % of the first third), and the run ends clearly below the healthy one.
        double[] tail = run.Losses[(run.Losses.Length / 10)..];
        double[] blocks = Enumerable.Range(0, tail.Length / 10).Select(b => tail.Skip(b * 10).Take(10).Average()).ToArray();
        double swing = (blocks.Max() - blocks.Min()) / blocks.Average();
        int third = blocks.Length / 3;
        double trend = blocks[^third..].Average() / blocks[..third].Average();
        double gap = reference.FinalAccuracy - run.FinalAccuracy;
        return (swing > 0.3 && trend > 0.8 && gap > 0.1,
            Invariant($"10-step means swing by {swing:P0} of their level, last third / first third = {trend:0.00}, accuracy {run.FinalAccuracy:0.00} vs {reference.FinalAccuracy:0.00} healthy"));
    }

    private static (bool, string) Slow(TrainingOutcome run, TrainingOutcome reference)
    {
        double fall = Fall(run.Losses), healthy = Fall(reference.Losses);
        return (fall < 0.05 && healthy > 0.5, Invariant($"the loss fell {fall:P1} (healthy: {healthy:P0})"));
    }

    private static (bool, string) Chance(TrainingOutcome run)
    {
        int classes = run.Run.Metadata.Tags.TryGetValue("classes", out string? c) ? int.Parse(c, CultureInfo.InvariantCulture) : 0;
        double constant = Math.Log(classes);
        double end = Tenth(run.Losses, last: true);
        return (end > 0.85 * constant && run.FinalAccuracy < (1.0 / classes) + 0.15,
            Invariant($"training loss ends at {end:0.000} (a constant prediction: ln {classes} = {constant:0.000}), validation accuracy {run.FinalAccuracy:0.00}"));
    }

    private static (bool, string) Overfit(TrainingOutcome run)
    {
        double fall = Fall(run.Losses);
        double best = run.ValidationLoss.Min(), end = run.FinalValidationLoss;
        return (fall > 0.8 && end > 1.1 * best,
            Invariant($"training loss fell {fall:P0}; validation loss {best:0.000} at best, {end:0.000} at the end (+{(end / best) - 1:P0})"));
    }

    private static (bool, string) Frozen(TrainingOutcome run)
    {
        IReadOnlyList<StepRecord> steps = run.Run.Steps;
        var frozen = new List<string>();
        foreach (string name in steps[0].Layers.Select(l => l.Name))
        {
            double[] weights = steps.SelectMany(s => s.Layers.Where(l => l.Name == name && l.WeightNorm is double).Select(l => l.WeightNorm!.Value)).ToArray();
            bool gradients = steps.All(s => s.Layers.First(l => l.Name == name).GradientNorm is not double g || g > 0);
            if (weights.Length > 1 && weights.All(w => w == weights[0]) && gradients)
            {
                frozen.Add(name);
            }
        }

        return (frozen.Count > 0, frozen.Count > 0 ? $"{string.Join(", ", frozen)} never change, with non-zero gradients" : "every parameter moves");
    }

    private static (bool, string) Unnormalized(TrainingOutcome run)
    {
        double[] scales = run.InputScales.Where(s => s > 1e-6).Order().ToArray();
        double spread = scales[^1] / scales[0];
        double offset = run.InputMeans.Select(Math.Abs).Max() / scales[scales.Length / 2];
        return (spread >= 100 || offset >= 10, Invariant($"column scales span x{spread:G3}; the largest mean is {offset:G3} median deviations from 0"));
    }

    /// <summary>How much the loss fell: 1 - (mean of its last tenth) / (mean of its first tenth).</summary>
    private static double Fall(double[] losses) => 1 - (Tenth(losses, last: true) / Tenth(losses, last: false));

    private static double Tenth(double[] losses, bool last)
    {
        int n = Math.Max(1, losses.Length / 10);
        return (last ? losses[^n..] : losses[..n]).Average();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
