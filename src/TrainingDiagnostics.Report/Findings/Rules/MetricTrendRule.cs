using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Each metric judged by its name that did not collapse: a warning (<c>metric-regressed</c>) when it improved clearly
/// and then lost more than half of that gain by its last value; otherwise its first, best and last values (info,
/// <c>metric-trend</c>). Needs two finite values, the last one among them. Higher-is-better metrics first.
/// </summary>
internal sealed class MetricTrendRule : FindingRule
{
    public override string Id => "metric-trend";

    /// <summary>A held-out metric that regressed in an overfitting run is that finding's evidence, not a second story.</summary>
    public override bool IsSuppressedBy(Finding own, Finding other) => own.Rule == "metric-regressed" && other.Rule == OverfittingRule.RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        foreach (MetricHistory metric in run.Metrics.Where(m => m.Direction != MetricDirection.Unknown).OrderBy(m => m.Direction == MetricDirection.HigherIsBetter ? 0 : 1))
        {
            int[] finite = Collapses.Finite(metric);
            if (finite.Length < 2 || Collapses.Metric(metric) is not null || finite[^1] != metric.Values.Length - 1)
            {
                continue;
            }

            double first = metric.Values[finite[0]], last = metric.Values[^1];
            int best = Collapses.Best(metric, finite);
            double gain = Math.Abs(metric.Values[best] - first), lost = Math.Abs(last - metric.Values[best]);
            if (gain > FindingRules.CollapseMargin * Math.Abs(first) && metric.IsBetter(metric.Values[best], last) && lost > 0.5 * gain)
            {
                yield return new Finding
                {
                    Severity = FindingSeverity.Warning,
                    Rule = "metric-regressed",
                    Title = Invariant($"{metric.Name} ended at {Format(last)} (step {metric.Steps[^1]}) after reaching {Format(metric.Values[best])} at step {metric.Steps[best]}: it lost {lost / gain * 100:0}% of its gain"),
                    Detail = Invariant($"A held-out metric that turns worse while training goes on: overfitting (stop earlier, regularize), or training that became unstable (see the incidents and the learning rate after step {metric.Steps[best]})."),
                    Step = metric.Steps[best],
                    Remedy = new Remedy
                    {
                        Action = RemedyActions.EarlyStop,
                        Text = Invariant($"Stop at step {metric.Steps[best]}, where {metric.Name} was best, and keep that checkpoint."),
                    },
                };
            }
            else
            {
                string verb = last > first ? "rose" : last < first ? "fell" : "stayed";
                string path = verb == "stayed" ? Invariant($"at {Format(last)}") : Invariant($"from {Format(first)} to {Format(last)}");
                yield return new Finding
                {
                    Severity = FindingSeverity.Info,
                    Rule = Id,
                    Title = Invariant($"{metric.Name} {verb} {path} (best {Format(metric.Values[best])} at step {metric.Steps[best]})"),
                    Detail = Invariant($"{finite.Length} evaluations, from step {metric.Steps[finite[0]]} to step {metric.Steps[^1]}; {(metric.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower")} is better."),
                };
            }
        }
    }
}
