using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class FindingRulesTests
{
    private static StepRecord WithRatio(StepRecord step, double ratio) =>
        step with { Layers = step.Layers.Select(l => l with { UpdateRatio = ratio }).ToList() };

    [TestMethod]
    public void HealthyRunHasOnlyGoodNews()
    {
        RunVerdict verdict = FindingRules.Evaluate(Typical());

        Assert.AreEqual(VerdictLevel.Healthy, verdict.Level);
        Assert.AreEqual("Healthy", verdict.Label);
        Assert.IsTrue(verdict.Findings.All(f => f.Severity == FindingSeverity.Info));
        CollectionAssert.AreEquivalent(new[] { "loss-trend", "no-incidents" }, verdict.Findings.Select(f => f.Rule).ToArray());
    }

    [TestMethod]
    public void LossTrendComparesTheFirstAndLastTenth()
    {
        // 20 losses: the first two average 10.5, the last two 1.5, so the loss fell by (10.5 - 1.5) / 10.5 = 86 %.
        double[] losses = [10, 11, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 2];
        Finding trend = Rule.LossTrend(Run(losses.Select((l, i) => Step(i, l)))).Single();
        Assert.AreEqual(FindingSeverity.Info, trend.Severity);
        Assert.AreEqual("The loss fell from 10.5 to 1.5 (-86%)", trend.Title);

        // Reversed, the loss ends far above its start: a collapse, which says so itself.
        var risen = Run(losses.Reverse().Select((l, i) => Step(i, l)));
        Assert.IsEmpty(Rule.LossTrend(risen));
        Assert.AreEqual("Training collapsed: the loss ended at 10.5, above its start (1.5)", Rule.Collapse(risen).Single().Title);

        // Flat (5 % up, within the collapse margin): a warning.
        double[] flatLosses = [2, 2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2.1, 2.1];
        Finding flat = Rule.LossTrend(Run(flatLosses.Select((l, i) => Step(i, l)))).Single();
        Assert.AreEqual(FindingSeverity.Warning, flat.Severity);
        Assert.AreEqual("The loss did not fall: 2 at the start, 2.1 at the end", flat.Title);

        Assert.IsEmpty(Rule.LossTrend(Run(losses.Take(9).Select((l, i) => Step(i, l)))), "needs ten finite losses");
    }

    [TestMethod]
    public void IncidentsAreGroupedByKindAndPlace()
    {
        var run = Run(Typical().Steps, anomalies: [NaNGradient(30), NaNGradient(20), NaNGradient(25, "other"), Exploding(4)]);

        List<Finding> findings = Rule.Incidents(run).ToList();

        Assert.HasCount(3, findings);
        Finding act = findings.Single(f => f.ModulePath == "block.act");
        Assert.AreEqual(FindingSeverity.Critical, act.Severity);
        Assert.AreEqual(20, act.Step);
        Assert.AreEqual("Non-finite gradient in block.act (SqrtBackward0), backward pass, first at step 20, 2 times", act.Title);
        Assert.AreEqual("The backward pass of sqrt produced NaN where its input was 0. Fix: Clamp the input: sqrt(x.clamp_min(1e-12)).", act.Detail);
        Assert.AreEqual(FindingSeverity.Warning, findings.Single(f => f.Step == 4).Severity);
    }

    [TestMethod]
    public void SeverityOfEachKindFollowsTheModelTableAndNonFiniteEvidenceIsCritical()
    {
        AnomalyKind[] warnings = [AnomalyKind.ExplodingGradient, AnomalyKind.VanishingGradient, AnomalyKind.DivergingLoss, AnomalyKind.BatchNormDegenerate];
        foreach (AnomalyKind kind in Enum.GetValues<AnomalyKind>())
        {
            var finite = new AnomalyEvent { Kind = kind, Step = 1, Phase = AnomalyPhase.Forward, Message = "m" };
            Assert.AreEqual(warnings.Contains(kind) ? FindingSeverity.Warning : FindingSeverity.Critical, FindingRules.SeverityOf(finite), kind.ToString());
            Assert.AreEqual(FindingSeverity.Critical, FindingRules.SeverityOf(finite with { NaNCount = 3 }), kind + " with NaN evidence");
        }
    }

    [TestMethod]
    public void VerdictOrdersBySeverityThenStepThenRule()
    {
        var steps = Typical().Steps.Select(s => s.Step == 40 ? s with { Loss = double.NaN, Skipped = true } : s);
        var run = Run(steps, anomalies: [Exploding(2), NaNGradient(40)], complete: false);

        RunVerdict verdict = FindingRules.Evaluate(run);

        Assert.AreEqual(VerdictLevel.Failed, verdict.Level);
        string[] order = verdict.Findings.Select(f => $"{f.Severity}:{f.Rule}:{f.Step}").ToArray();
        CollectionAssert.AreEqual(
            new[] { "Critical:incident:40", "Critical:nonfinite-loss:40", "Warning:incident:2", "Warning:skipped-steps:40", "Warning:incomplete-log:49" },
            order.Where(o => !o.StartsWith("Info", StringComparison.Ordinal)).ToArray());
        Assert.HasCount(3, verdict.Top);
        Assert.AreEqual("The loss became NaN at step 40 (1 of 50 steps non-finite)", verdict.Findings[1].Title);
    }

    [TestMethod]
    public void WarningsWithoutCriticalGiveWarnings()
    {
        Assert.AreEqual(VerdictLevel.Warnings, FindingRules.Evaluate(Run(Typical().Steps, anomalies: [Exploding(3)])).Level);
        Assert.AreEqual(VerdictLevel.Warnings, FindingRules.Evaluate(Typical() with { IsComplete = false }).Level);
    }

    [TestMethod]
    public void NonFiniteGradientInTheRecordsIsCriticalEvenWithoutAMonitor()
    {
        var run = Run([Step(0, 1, ("a", 1), ("b", 2)), Step(1, 1, ("a", double.PositiveInfinity), ("b", double.NaN)), Step(2, 1, ("a", double.NaN), ("b", 1))]);

        Finding finding = Rule.NonFiniteGradients(run).Single();

        Assert.AreEqual(FindingSeverity.Critical, finding.Severity);
        Assert.AreEqual(1, finding.Step);
        Assert.AreEqual("Non-finite gradient in a, b at step 1 (2 steps affected)", finding.Title);

        // A critical incident already names the place: the record-based finding would only repeat it.
        Assert.IsEmpty(Rule.NonFiniteGradients(run with { Anomalies = [NaNGradient(1)] }));
        Assert.HasCount(1, Rule.NonFiniteGradients(run with { Anomalies = [Exploding(1)] }));
    }

    [TestMethod]
    public void DeadGradientNamesTheParametersThatNeverGetOne()
    {
        var run = Run(Enumerable.Range(0, 5).Select(i => Step(i, 1, ("alive", 0.5 * i), ("dead", 0), ("unmeasured", null))));

        Finding finding = Rule.DeadGradients(run).Single();

        Assert.AreEqual("No gradient reaches dead (norm 0 at every recorded step)", finding.Title);
        Assert.AreEqual("dead", finding.ModulePath);
    }

    [TestMethod]
    public void LargeUpdatesUseTheMedianRatio()
    {
        // Median of {0.05, 0.2, 0.3} is 0.2 > 0.1: warn. Median of {0.05, 0.05, 0.9} is 0.05: no warning despite one spike.
        var large = Run(new[] { 0.05, 0.2, 0.3 }.Select((r, i) => WithRatio(Step(i, 1, ("w", 1)), r)));
        var spiky = Run(new[] { 0.05, 0.05, 0.9 }.Select((r, i) => WithRatio(Step(i, 1, ("w", 1)), r)));

        Assert.AreEqual("Updates are large: w moves by 0.2 of its norm per step (median)", Rule.LargeUpdates(large).Single().Title);
        Assert.IsEmpty(Rule.LargeUpdates(spiky));
    }

    [TestMethod]
    public void SkippedStepsAndIncompleteLog()
    {
        var run = Run(Typical().Steps.Select(s => s.Step is 7 or 9 ? s with { Skipped = true } : s), complete: false);

        Assert.AreEqual("2 update(s) skipped by the monitor, first at step 7", Rule.SkippedSteps(run).Single().Title);
        Assert.AreEqual("The run log is incomplete: it was cut after step 49", Rule.IncompleteLog(run).Single().Title);
        Assert.IsEmpty(Rule.IncompleteLog(Typical()));
    }
}
