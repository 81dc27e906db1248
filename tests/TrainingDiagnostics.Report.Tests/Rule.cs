using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// One rule's findings on a run, read through the public <see cref="FindingRules.Evaluate(DiagnosticsRun)"/> (so a
/// rule's declared suppression applies, as in a report): the rules themselves are internal classes over the view model.
/// </summary>
internal static class Rule
{
    public static List<Finding> Findings(DiagnosticsRun run, params string[] ids) =>
        FindingRules.Evaluate(run).Findings.Where(f => ids.Contains(f.Rule)).ToList();

    public static List<Finding> Incidents(DiagnosticsRun run) => Findings(run, "incident");

    public static List<Finding> LossTrend(DiagnosticsRun run) => Findings(run, "loss-trend");

    public static List<Finding> Collapse(DiagnosticsRun run) => Findings(run, "collapse");

    public static List<Finding> NonFiniteGradients(DiagnosticsRun run) => Findings(run, "nonfinite-gradient");

    public static List<Finding> DeadGradients(DiagnosticsRun run) => Findings(run, "dead-gradient");

    public static List<Finding> LargeUpdates(DiagnosticsRun run) => Findings(run, "large-updates");

    public static List<Finding> SkippedSteps(DiagnosticsRun run) => Findings(run, "skipped-steps");

    public static List<Finding> IncompleteLog(DiagnosticsRun run) => Findings(run, "incomplete-log");

    public static List<Finding> LearningRateJumps(DiagnosticsRun run) => Findings(run, "learning-rate-jump");

    public static List<Finding> MetricTrends(DiagnosticsRun run) => Findings(run, "metric-trend", "metric-regressed");
}
