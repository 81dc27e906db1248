using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>What counts as a collapse, read from the view: shared by the collapse rule and the trend rules that stay silent on one.</summary>
internal static class Collapses
{
    /// <summary>The loss's collapse: the mean of its last tenth more than <see cref="FindingRules.CollapseMargin"/> of its start above the mean of its first tenth.</summary>
    public static LossDigest? Loss(RunView run) =>
        run.Steps.LossTrend is { } d && d.End - d.Start > FindingRules.CollapseMargin * Math.Abs(d.Start) ? d : null;

    /// <summary>A judged metric's collapse: its last value is not finite, or clearly worse than its first.</summary>
    public static (string Text, long BestStep)? Metric(MetricHistory metric)
    {
        int[] finite = Finite(metric);
        double last = metric.Values.Length == 0 ? double.NaN : metric.Values[^1];
        long lastStep = metric.Steps.Length == 0 ? 0 : metric.Steps[^1];
        int best = Best(metric, finite);
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
        if (metric.IsBetter(first, last) && Math.Abs(last - first) > FindingRules.CollapseMargin * Math.Abs(first))
        {
            string verb = last < first ? "fell" : "rose";
            return (Invariant($"{metric.Name} {verb} from {Format(first)} (step {metric.Steps[finite[0]]}) to {Format(last)} (step {lastStep})"), bestStep);
        }

        return null;
    }

    public static int[] Finite(MetricHistory metric) =>
        Enumerable.Range(0, metric.Values.Length).Where(i => double.IsFinite(metric.Values[i])).ToArray();

    /// <summary>The index of the best finite value (the first of equals), or -1.</summary>
    public static int Best(MetricHistory metric, int[] finite) =>
        finite.Length == 0 ? -1 : finite.Aggregate((a, b) => metric.IsBetter(metric.Values[b], metric.Values[a]) ? b : a);
}
