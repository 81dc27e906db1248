using System.Globalization;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
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

    /// <summary>
    /// How much worse than at its start a loss or a metric must end for the run to count as collapsed, as a share of
    /// the starting value: 0.1 (the loss ends more than 10 % above its start, an accuracy more than 10 % below its first value).
    /// </summary>
    public const double CollapseMargin = 0.1;

    /// <summary>A learning rate that grows by this factor or more from one recorded step to the next is reported.</summary>
    public const double LearningRateJumpFactor = 10;

    private static readonly Func<DiagnosticsRun, IEnumerable<Finding>>[] Rules =
    [
        Incidents,
        NonFiniteLoss,
        NonFiniteGradients,
        IncompleteLog,
        SkippedSteps,
        DeadGradients,
        LargeUpdates,
        Collapse,
        LossTrend,
        MetricTrends,
        LearningRateJumps,
        DataFindingRules.DataFindings, // ML.NET pipeline records (data profiles, observed fits)
        DataFindingRules.PipelineErrors,
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
                    Severity = SeverityOf(first),
                    Rule = "incident",
                    Title = Invariant($"{AnomalyKinds.Of(first.Kind).Title}{where}{operation}, {first.Phase.ToString().ToLowerInvariant()} pass, first at step {first.Step}{times}"),
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
        if (run.Anomalies.Any(a => SeverityOf(a) == FindingSeverity.Critical))
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
    /// A fall is good news (info); no fall is a warning. Needs at least ten finite losses. Silent when the loss
    /// collapsed (see <see cref="Collapse"/>).
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> LossTrend(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (LossCollapse(run) is not null)
        {
            yield break; // Collapse says it, with the numbers.
        }

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

    /// <summary>
    /// The training collapsed (critical): the loss ended clearly above where it started (the mean of its last tenth of
    /// finite values more than <see cref="CollapseMargin"/> of the start above the mean of its first tenth), or a
    /// metric that the report can judge by its name (<c>validation/accuracy</c>: higher is better; <c>validation/loss</c>:
    /// lower is better; a name with neither kind of word is drawn, not judged) ended more than <see cref="CollapseMargin"/> worse than its first value, or not finite. One
    /// finding with every piece of evidence, at the step where the run was last at its best, naming a learning-rate
    /// jump when there was one.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding.</returns>
    public static IEnumerable<Finding> Collapse(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var evidence = new List<string>();
        long? turn = null;
        foreach (MetricHistory metric in MetricHistory.FromRun(run).Where(m => m.Direction != MetricDirection.Unknown))
        {
            if (MetricCollapse(metric) is { } collapse)
            {
                evidence.Add(collapse.Text);
                turn = turn is long t ? Math.Min(t, collapse.BestStep) : collapse.BestStep;
            }
        }

        string lossStory = "";
        if (LossCollapse(run) is { } loss)
        {
            evidence.Add(Invariant($"the loss ended at {Format(loss.End)}, above its start ({Format(loss.Start)})"));
            turn = turn is long t ? Math.Min(t, loss.BestStep) : loss.BestStep;
            lossStory = loss.Best < loss.Start - (CollapseMargin * Math.Abs(loss.Start))
                ? Invariant($" The training loss (means of a tenth of the steps) fell from {Format(loss.Start)} to {Format(loss.Best)} by step {loss.BestStep}, then rose to {Format(loss.End)}.")
                : "";
        }

        if (evidence.Count == 0)
        {
            yield break;
        }

        string jump = LearningRateJump(run) is { } j
            ? Invariant($" The learning rate rose x{j.Factor:0.#} at step {j.Step} ({Format(j.From)} to {Format(j.To)}): a learning rate far too high is the usual cause.")
            : "";
        yield return new Finding
        {
            Severity = FindingSeverity.Critical,
            Rule = "collapse",
            Title = "Training collapsed: " + string.Join("; ", evidence),
            Detail = Invariant($"The run was last at its best around step {turn} and lost what it had learnt after that.{lossStory}{jump} Look at the incidents just after step {turn}; lower the learning rate, or add warm-up or gradient clipping."),
            Step = turn,
        };
    }

    /// <summary>
    /// Each metric the report can judge by its name (see <see cref="Collapse"/>) and that did not collapse: a warning when
    /// it improved clearly (by more than <see cref="CollapseMargin"/> of its first value) and then lost more than half of
    /// that gain by its last value (overfitting, or training that turned unstable); otherwise its first, best and last
    /// values (info). Needs two finite values, the last one among them.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>One finding per such metric: higher-is-better ones first, then in order of first record.</returns>
    public static IEnumerable<Finding> MetricTrends(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);

        // Scores (accuracy) first: what a reader looks for.
        foreach (MetricHistory metric in MetricHistory.FromRun(run).Where(m => m.Direction != MetricDirection.Unknown).OrderBy(m => m.Direction == MetricDirection.HigherIsBetter ? 0 : 1))
        {
            int[] finite = Enumerable.Range(0, metric.Values.Length).Where(i => double.IsFinite(metric.Values[i])).ToArray();
            if (finite.Length < 2 || MetricCollapse(metric) is not null || finite[^1] != metric.Values.Length - 1)
            {
                continue;
            }

            double first = metric.Values[finite[0]], last = metric.Values[^1];
            int best = finite.Aggregate((a, b) => metric.IsBetter(metric.Values[b], metric.Values[a]) ? b : a);
            double gain = Math.Abs(metric.Values[best] - first), lost = Math.Abs(last - metric.Values[best]);
            if (gain > CollapseMargin * Math.Abs(first) && metric.IsBetter(metric.Values[best], last) && lost > 0.5 * gain)
            {
                yield return new Finding
                {
                    Severity = FindingSeverity.Warning,
                    Rule = "metric-regressed",
                    Title = Invariant($"{metric.Name} ended at {Format(last)} (step {metric.Steps[^1]}) after reaching {Format(metric.Values[best])} at step {metric.Steps[best]}: it lost {lost / gain * 100:0}% of its gain"),
                    Detail = Invariant($"A held-out metric that turns worse while training goes on: overfitting (stop earlier, regularize), or training that became unstable (see the incidents and the learning rate after step {metric.Steps[best]})."),
                    Step = metric.Steps[best],
                };
            }
            else
            {
                string verb = last > first ? "rose" : last < first ? "fell" : "stayed";
                string path = verb == "stayed" ? Invariant($"at {Format(last)}") : Invariant($"from {Format(first)} to {Format(last)}");
                yield return new Finding
                {
                    Severity = FindingSeverity.Info,
                    Rule = "metric-trend",
                    Title = Invariant($"{metric.Name} {verb} {path} (best {Format(metric.Values[best])} at step {metric.Steps[best]})"),
                    Detail = Invariant($"{finite.Length} evaluations, from step {metric.Steps[finite[0]]} to step {metric.Steps[^1]}; {(metric.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower")} is better."),
                };
            }
        }
    }

    /// <summary>
    /// The learning rate grew by <see cref="LearningRateJumpFactor"/> or more from one recorded step to the next
    /// (info: schedules with restarts do that on purpose; <see cref="Collapse"/> names the jump when the run collapsed).
    /// </summary>
    /// <param name="run">The run.</param>
    /// <returns>Zero or one finding: the first jump, and how many there were.</returns>
    public static IEnumerable<Finding> LearningRateJumps(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (LearningRateJump(run) is { } jump)
        {
            string more = jump.Count > 1 ? Invariant($", and {jump.Count - 1} more time(s)") : "";
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = "learning-rate-jump",
                Title = Invariant($"The learning rate rose x{jump.Factor:0.#} at step {jump.Step} ({Format(jump.From)} to {Format(jump.To)}){more}"),
                Detail = "See the learning-rate chart under the loss.",
                Step = jump.Step,
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
    /// How much an incident matters, from the kind table in Model (<see cref="AnomalyKinds"/>), which the monitor's policy
    /// also reads: an event that carries NaN or infinite values is critical; otherwise its kind decides.
    /// </summary>
    /// <param name="anomaly">The incident.</param>
    /// <returns><see cref="FindingSeverity.Critical"/> or <see cref="FindingSeverity.Warning"/>.</returns>
    public static FindingSeverity SeverityOf(AnomalyEvent anomaly) =>
        AnomalyKinds.SeverityOf(anomaly) == AnomalySeverity.Critical ? FindingSeverity.Critical : FindingSeverity.Warning;

    /// <summary>
    /// The loss's collapse, if it ended clearly above its start: the means of its first and last tenth, the lowest mean of
    /// a tenth of consecutive losses, and the last step of that window.
    /// </summary>
    private static (double Start, double End, double Best, long BestStep)? LossCollapse(DiagnosticsRun run)
    {
        StepRecord[] finite = run.Steps.Where(s => double.IsFinite(s.Loss)).ToArray();
        if (finite.Length < 10)
        {
            return null;
        }

        int tenth = Math.Max(1, finite.Length / 10);
        double start = finite.Take(tenth).Average(s => s.Loss), end = finite.TakeLast(tenth).Average(s => s.Loss);
        if (!(end - start > CollapseMargin * Math.Abs(start)))
        {
            return null;
        }

        // A running sum over windows of a tenth of the losses.
        double sum = 0, best = double.PositiveInfinity;
        long bestStep = finite[0].Step;
        for (int i = 0; i < finite.Length; i++)
        {
            sum += finite[i].Loss - (i >= tenth ? finite[i - tenth].Loss : 0);
            if (i >= tenth - 1 && sum / tenth < best)
            {
                (best, bestStep) = (sum / tenth, finite[i].Step);
            }
        }

        return (start, end, best, bestStep);
    }

    /// <summary>A judged metric's collapse: its last value is not finite, or clearly worse than its first.</summary>
    private static (string Text, long BestStep)? MetricCollapse(MetricHistory metric)
    {
        int[] finite = Enumerable.Range(0, metric.Values.Length).Where(i => double.IsFinite(metric.Values[i])).ToArray();
        double last = metric.Values.Length == 0 ? double.NaN : metric.Values[^1];
        long lastStep = metric.Steps.Length == 0 ? 0 : metric.Steps[^1];
        int best = finite.Length == 0 ? -1 : finite.Aggregate((a, b) => metric.IsBetter(metric.Values[b], metric.Values[a]) ? b : a);
        long bestStep = best < 0 ? lastStep : metric.Steps[best];
        if (metric.Values.Length > 0 && !double.IsFinite(last))
        {
            return (Invariant($"{metric.Name} became {Named(last)} at step {lastStep}"), bestStep);
        }

        if (finite.Length < 2)
        {
            return null;
        }

        double first = metric.Values[finite[0]];
        if (metric.IsBetter(first, last) && Math.Abs(last - first) > CollapseMargin * Math.Abs(first))
        {
            string verb = last < first ? "fell" : "rose";
            return (Invariant($"{metric.Name} {verb} from {Format(first)} (step {metric.Steps[finite[0]]}) to {Format(last)} (step {lastStep})"), bestStep);
        }

        return null;
    }

    /// <summary>The first step at which the learning rate grew by <see cref="LearningRateJumpFactor"/> or more, and how many such steps there were.</summary>
    private static (long Step, double From, double To, double Factor, int Count)? LearningRateJump(DiagnosticsRun run)
    {
        (long, double, double, double)? first = null;
        int count = 0;
        double? previous = null;
        foreach (StepRecord step in run.Steps)
        {
            if (step.LearningRate is not double lr || !double.IsFinite(lr))
            {
                continue;
            }

            if (previous is double p && p > 0 && lr / p >= LearningRateJumpFactor)
            {
                count++;
                first ??= (step.Step, p, lr, lr / p);
            }

            previous = lr;
        }

        return first is var (s, from, to, factor) ? (s, from, to, factor, count) : null;
    }

    private static string Named(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
