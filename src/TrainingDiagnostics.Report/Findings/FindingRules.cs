using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings.Rules;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings;

/// <summary>
/// Turns a run into findings and a verdict. The rules are small classes over the report's view model (one per file
/// under <c>Findings/Rules</c>), each declaring which other findings make it redundant; <see cref="Evaluate(DiagnosticsRun)"/> runs
/// them all, drops the suppressed ones and orders the rest.
/// </summary>
/// <remarks>Cost: one pass over the run to fold it (linear in steps x parameters, memory bounded), then the rules read the view.</remarks>
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

    /// <summary>The rules, in the order that breaks ties between findings of equal severity and step.</summary>
    private static readonly FindingRule[] Rules =
    [
        new IncidentRule(),
        new NonFiniteLossRule(),
        new NonFiniteGradientRule(),
        new IncompleteLogRule(),
        new SkippedStepsRule(),
        new UnnormalizedInputRule(),
        new DyingReluRule(),
        new SaturatedActivationRule(),
        new FrozenParametersRule(),
        new VanishingGradientRule(),
        new ChanceLevelLossRule(),
        new SlowConvergenceRule(),
        new OscillatingLossRule(),
        new OverfittingRule(),
        new DeadGradientRule(),
        new LargeUpdatesRule(),
        new CollapseRule(),
        new LossTrendRule(),
        new MetricTrendRule(),
        new LearningRateJumpRule(),
        new EdgeOfStabilityRule(),
        new DataProfileRule(),
        new PipelineErrorRule(),
        new InstrumentFailureRule(),
        new HealRule(),
        new NoIncidentsRule(),
    ];

    /// <summary>Runs every rule and orders the findings: severity first, then the earliest step, then rule order.</summary>
    /// <param name="run">The run to judge.</param>
    /// <returns>The verdict: <see cref="VerdictLevel.Failed"/> with any critical finding, <see cref="VerdictLevel.Warnings"/>
    /// with any warning, else <see cref="VerdictLevel.Healthy"/>.</returns>
    public static RunVerdict Evaluate(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Evaluate(RunFold.FromRun(run, new ReportOptions()));
    }

    internal static RunVerdict Evaluate(RunView view)
    {
        var produced = Rules.Select((rule, rank) => (Rule: rule, Rank: rank, Findings: rule.Evaluate(view).ToList())).ToList();
        List<Finding> findings = produced
            .SelectMany(p => p.Findings
                .Where(f => !produced.Any(other => other.Rule != p.Rule && other.Findings.Any(o => p.Rule.IsSuppressedBy(f, o))))
                .Select(f => (Finding: f, p.Rank)))
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
    /// How much an incident matters, from the kind table in Model (<see cref="AnomalyKinds"/>), which the monitor's policy
    /// also reads: an event that carries NaN or infinite values is critical; otherwise its kind decides.
    /// </summary>
    internal static FindingSeverity SeverityOf(AnomalyEvent anomaly) =>
        AnomalyKinds.SeverityOf(anomaly) == AnomalySeverity.Critical ? FindingSeverity.Critical : FindingSeverity.Warning;
}
