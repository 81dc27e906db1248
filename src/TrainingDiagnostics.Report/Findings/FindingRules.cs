using System.Globalization;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Rendering;

namespace TrainingDiagnostics.Report.Findings;

/// <summary>
/// The rules that turn a run's incidents and step records into findings and a verdict. Each rule is a small
/// function of the run, testable on its own; <see cref="Evaluate"/> runs them all and orders the results.
/// </summary>
/// <remarks>Every rule reads the run once (linear in steps x layers) and allocates per layer, not per step.</remarks>
public static class FindingRules
{
    /// <summary>A layer whose median update-to-weight ratio exceeds this moves too far per step (healthy: about 1e-3).</summary>
    public const double LargeUpdateRatio = 0.1;

    private static readonly Func<DiagnosticsRun, IEnumerable<Finding>>[] Rules =
    [
        Incidents,
        NonFiniteLoss,
        NonFiniteGradients,
        IncompleteLog,
        SkippedSteps,
        DeadGradients,
        LargeUpdates,
        LossTrend,
        NoIncidents,
    ];

    /// <summary>Runs every rule and orders the findings: severity first, then the earliest step, then rule order.</summary>
    /// <param name="run">The run to judge.</param>
    /// <returns>The verdict: <see cref="VerdictLevel.Failed"/> with any critical finding, <see cref="VerdictLevel.Warnings"/>
    /// with any warning, else <see cref="VerdictLevel.Healthy"/>.</returns>
    public static RunVerdict Evaluate(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        List<Finding> findings = Rules
            .SelectMany((rule, rank) => rule(run).Select(f => (Finding: f, Rank: rank)))
            .OrderByDescending(f => f.Finding.Severity)
            .ThenBy(f => f.Finding.Step ?? long.MaxValue)
            .ThenBy(f => f.Rank)
            .Select(f => f.Finding)
            .ToList();
        VerdictLevel level = findings.Any(f => f.Severity == FindingSeverity.Critical) ? VerdictLevel.Failed
            : findings.Any(f => f.Severity == FindingSeverity.Warning) ? VerdictLevel.Warnings
            : VerdictLevel.Healthy;
        return new RunVerdict { Level = level, Findings = findings };
    }

    /// <summary>
    /// One finding per kind of incident and place (kind, phase, module, operation): the first step, how often, the
    /// message and the suggested fix. Non-finite values and degenerate BatchNorm are critical; statistical alarms
    /// (exploding or vanishing gradients, diverging loss) are warnings.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>The findings, in order of first occurrence.</returns>
    public static IEnumerable<Finding> Incidents(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Anomalies
            .GroupBy(a => (a.Kind, a.Phase, a.ModulePath, a.Operation))
            .Select(g =>
            {
                AnomalyEvent first = g.MinBy(a => a.Step)!;
                int count = g.Count();
                string where = first.ModulePath is null ? "" : $" in {first.ModulePath}";
                string operation = first.Operation is null ? "" : $" ({first.Operation})";
                string times = count == 1 ? "" : Invariant($", {count} times");
                string detail = first.Suggestion is null ? first.Message : $"{first.Message} Fix: {first.Suggestion}";
                return new Finding
                {
                    Severity = SeverityOf(first.Kind),
                    Rule = "incident",
                    Title = Invariant($"{Describe(first.Kind)}{where}{operation}, {first.Phase.ToString().ToLowerInvariant()} pass, first at step {first.Step}{times}"),
                    Detail = detail,
                    Step = first.Step,
                    ModulePath = first.ModulePath,
                };
            });
    }

    /// <summary>A NaN or infinite loss in the step records (critical), with the first step and the count.</summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> NonFiniteLoss(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        StepRecord? first = run.Steps.FirstOrDefault(s => !double.IsFinite(s.Loss));
        if (first is null)
        {
            yield break;
        }

        int count = run.Steps.Count(s => !double.IsFinite(s.Loss));
        yield return new Finding
        {
            Severity = FindingSeverity.Critical,
            Rule = "nonfinite-loss",
            Title = Invariant($"The loss became {Named(first.Loss)} at step {first.Step} ({count} of {run.Steps.Count} steps non-finite)"),
            Detail = "Once the loss is not finite, no update can be trusted. Look at the first incident above it for the module that produced the value.",
            Step = first.Step,
        };
    }

    /// <summary>
    /// Non-finite per-parameter gradient norms in the step records (critical): the first step and the parameters
    /// that had one then. For runs recorded without a monitor: when a critical incident exists, it already names the
    /// place, and this rule stays silent.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> NonFiniteGradients(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Anomalies.Any(a => SeverityOf(a.Kind) == FindingSeverity.Critical))
        {
            yield break;
        }

        int count = 0;
        StepRecord? first = null;
        foreach (StepRecord step in run.Steps)
        {
            bool bad = (step.GradientNorm is double total && !double.IsFinite(total))
                || step.Layers.Any(l => l.GradientNorm is double g && !double.IsFinite(g));
            if (bad)
            {
                count++;
                first ??= step;
            }
        }

        if (first is null)
        {
            yield break;
        }

        string[] names = first.Layers.Where(l => l.GradientNorm is double g && !double.IsFinite(g)).Select(l => l.Name).ToArray();
        string which = names.Length == 0 ? "" : " in " + string.Join(", ", names.Take(3)) + (names.Length > 3 ? Invariant($" and {names.Length - 3} more") : "");
        yield return new Finding
        {
            Severity = FindingSeverity.Critical,
            Rule = "nonfinite-gradient",
            Title = Invariant($"Non-finite gradient{which} at step {first.Step} ({count} steps affected)"),
            Detail = "A NaN or infinity in a gradient corrupts every parameter it reaches at the next update.",
            Step = first.Step,
            ModulePath = names.FirstOrDefault(),
        };
    }

    /// <summary>The log ends in a line cut mid-way (warning): the training crashed or was still running.</summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> IncompleteLog(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!run.IsComplete)
        {
            string last = run.Steps.Count == 0 ? "before its first step" : Invariant($"after step {run.Steps[^1].Step}");
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = "incomplete-log",
                Title = $"The run log is incomplete: it was cut {last}",
                Detail = "The training crashed or was still writing. Everything recorded before the cut is shown.",
                Step = run.Steps.Count == 0 ? null : run.Steps[^1].Step,
            };
        }
    }

    /// <summary>Steps whose update the monitor advised to skip (warning).</summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> SkippedSteps(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        StepRecord[] skipped = run.Steps.Where(s => s.Skipped == true).ToArray();
        if (skipped.Length > 0)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = "skipped-steps",
                Title = Invariant($"{skipped.Length} update(s) skipped by the monitor, first at step {skipped[0].Step}"),
                Detail = "A skipped step protects the weights from a bad batch; many of them mean the cause is still there.",
                Step = skipped[0].Step,
            };
        }
    }

    /// <summary>
    /// Parameters whose gradient norm was recorded and exactly zero at every recorded step (warning): no gradient
    /// reaches them (a detached branch, dead ReLUs, a frozen layer left in the optimizer).
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding naming up to three parameters.</returns>
    public static IEnumerable<Finding> DeadGradients(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string[] dead = LayerGradientSummary.FromRun(run).Where(l => l.Recorded > 0 && l.NonFinite == 0 && l.Max == 0).Select(l => l.Name).ToArray();
        if (dead.Length > 0)
        {
            string names = string.Join(", ", dead.Take(3)) + (dead.Length > 3 ? Invariant($" and {dead.Length - 3} more") : "");
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = "dead-gradient",
                Title = Invariant($"No gradient reaches {names} (norm 0 at every recorded step)"),
                Detail = "Check for a detached tensor (.detach(), no_grad) on the path to the loss, dead ReLUs, or a layer that should be frozen.",
                ModulePath = dead[0],
            };
        }
    }

    /// <summary>
    /// Parameters whose median update-to-weight ratio exceeds <see cref="LargeUpdateRatio"/> (warning): each step
    /// rewrites a large share of the weights, usually a learning rate far too high.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding naming the worst parameter.</returns>
    public static IEnumerable<Finding> LargeUpdates(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var large = LayerGradientSummary.FromRun(run)
            .Where(l => l.MedianUpdateRatio > LargeUpdateRatio)
            .Select(l => (l.Name, Median: l.MedianUpdateRatio!.Value))
            .OrderByDescending(p => p.Median)
            .ToArray();
        if (large.Length > 0)
        {
            string others = large.Length > 1 ? Invariant($" (and {large.Length - 1} more parameters)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = "large-updates",
                Title = Invariant($"Updates are large: {large[0].Name} moves by {Format(large[0].Median)} of its norm per step (median){others}"),
                Detail = "Healthy training usually sits near 1e-3. Lower the learning rate, or add warm-up.",
                ModulePath = large[0].Name,
            };
        }
    }

    /// <summary>
    /// The loss trend over the finite losses: the mean of the last tenth against the mean of the first tenth.
    /// A fall is good news (info); no fall is a warning. Needs at least ten finite losses.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> LossTrend(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        double[] finite = run.Steps.Select(s => s.Loss).Where(double.IsFinite).ToArray();
        if (finite.Length < 10)
        {
            yield break;
        }

        int tenth = Math.Max(1, finite.Length / 10);
        double start = finite.Take(tenth).Average(), end = finite.TakeLast(tenth).Average();
        if (end < start)
        {
            double percent = start > 0 ? (start - end) / start * 100 : double.NaN;
            string by = double.IsFinite(percent) ? Invariant($" (-{percent:0}%)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = "loss-trend",
                Title = $"The loss fell from {Format(start)} to {Format(end)}{by}",
                Detail = "Means of the first and the last tenth of the finite losses.",
            };
        }
        else
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Warning,
                Rule = "loss-trend",
                Title = $"The loss did not fall: {Format(start)} at the start, {Format(end)} at the end",
                Detail = "Means of the first and the last tenth of the finite losses. Check the learning rate, the labels and the loss function.",
            };
        }
    }

    /// <summary>Good news when there is nothing to report: no incident and no non-finite value in the records (info).</summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> NoIncidents(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Steps.Count > 0 && run.Anomalies.Count == 0
            && run.Steps.All(s => double.IsFinite(s.Loss) && s.Layers.All(l => l.GradientNorm is not double g || double.IsFinite(g))))
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = "no-incidents",
                Title = Invariant($"No incidents in {run.Steps.Count} steps: loss and gradients stayed finite"),
            };
        }
    }

    /// <summary>
    /// How much an incident of <paramref name="kind"/> matters: non-finite values and degenerate BatchNorm break the
    /// run (critical); statistical alarms (exploding or vanishing gradient, diverging loss) are warnings.
    /// </summary>
    /// <param name="kind">The kind of incident.</param>
    /// <returns><see cref="FindingSeverity.Critical"/> or <see cref="FindingSeverity.Warning"/>.</returns>
    public static FindingSeverity SeverityOf(AnomalyKind kind) =>
        kind is AnomalyKind.ExplodingGradient or AnomalyKind.VanishingGradient or AnomalyKind.DivergingLoss
            ? FindingSeverity.Warning
            : FindingSeverity.Critical;

    private static string Describe(AnomalyKind kind) => kind switch
    {
        AnomalyKind.NonFiniteLoss => "Non-finite loss",
        AnomalyKind.NonFiniteInput => "Non-finite input batch",
        AnomalyKind.NonFiniteActivation => "Non-finite activation",
        AnomalyKind.NonFiniteGradient => "Non-finite gradient",
        AnomalyKind.NonFiniteParameter => "Non-finite parameter",
        AnomalyKind.ExplodingGradient => "Exploding gradient",
        AnomalyKind.VanishingGradient => "Vanishing gradient",
        AnomalyKind.DivergingLoss => "Diverging loss",
        AnomalyKind.BatchNormDegenerate => "Degenerate BatchNorm",
        _ => kind.ToString(),
    };

    private static string Named(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
