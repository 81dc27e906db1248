using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class MetricRulesTests
{
    // 20 steps: the first two losses average 2, the middle falls to 0.5, the last two average 3 (> 2 + 10 %).
    private static readonly double[] CollapsingLoss = [2.1, 1.9, 1.5, 1, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 2, 2.9, 3.1];

    private static DiagnosticsRun Losses(double[] losses, params MetricRecord[] metrics) =>
        Run(losses.Select((l, i) => Step(i, l))) with { Metrics = metrics };

    [TestMethod]
    [DataRow("validation/accuracy", "higher")]
    [DataRow("val_acc", "higher")]
    [DataRow("eval/Top1", "higher")]
    [DataRow("validation/loss", "lower")]
    [DataRow("eval.error", "lower")]
    [DataRow("accuracy_loss", "lower")]
    [DataRow("throughput", "unknown")]
    [DataRow("lossy/things", "unknown")]
    public void DirectionIsReadFromTheLastKnownWord(string name, string direction)
    {
        MetricDirection expected = direction switch { "higher" => MetricDirection.HigherIsBetter, "lower" => MetricDirection.LowerIsBetter, _ => MetricDirection.Unknown };
        Assert.AreEqual(expected, MetricNames.Direction(name));
        Assert.AreEqual(expected == MetricDirection.LowerIsBetter && name.EndsWith("loss", StringComparison.Ordinal), MetricNames.IsLoss(name));
    }

    [TestMethod]
    public void LossEndingAboveItsStartIsACollapse()
    {
        RunVerdict verdict = FindingRules.Evaluate(Losses(CollapsingLoss));

        Assert.AreEqual(VerdictLevel.Failed, verdict.Level);
        Finding collapse = verdict.Findings[0];
        Assert.AreEqual("collapse", collapse.Rule);
        Assert.AreEqual("Training collapsed: the loss ended at 3, above its start (2)", collapse.Title);

        // The lowest mean of two consecutive losses is 0.5, first reached by the window ending at step 6.
        Assert.AreEqual(6, collapse.Step);
        StringAssert.Contains(collapse.Detail, "fell from 2 to 0.5 by step 6, then rose to 3");
        Assert.IsFalse(verdict.Findings.Any(f => f.Rule == "loss-trend"), "the collapse says it; no second finding");
    }

    [TestMethod]
    public void LossWithinTheMarginIsOnlyAWarning()
    {
        // Last two average 2.1: 5 % above the start, under the 10 % margin.
        double[] losses = [.. CollapsingLoss[..18], 2.0, 2.2];
        RunVerdict verdict = FindingRules.Evaluate(Losses(losses));

        Assert.AreEqual(VerdictLevel.Warnings, verdict.Level);
        Assert.AreEqual("The loss did not fall: 2 at the start, 2.1 at the end", verdict.Findings.Single(f => f.Rule == "loss-trend").Title);
    }

    [TestMethod]
    public void AccuracyEndingBelowItsFirstValueIsACollapseEvenWhenTheLossLooksFine()
    {
        var run = Losses(Typical().Steps.Select(s => s.Loss).ToArray(),
            Metric(9, "validation/accuracy", 0.5), Metric(19, "validation/accuracy", 0.9), Metric(29, "validation/accuracy", 0.1));

        RunVerdict verdict = FindingRules.Evaluate(run);

        Assert.AreEqual(VerdictLevel.Failed, verdict.Level);
        Finding collapse = verdict.Findings.Single(f => f.Rule == "collapse");
        Assert.AreEqual("Training collapsed: validation/accuracy fell from 0.5 (step 9) to 0.1 (step 29)", collapse.Title);
        Assert.AreEqual(19, collapse.Step, "the best value");
    }

    [TestMethod]
    public void NonFiniteLastValueIsACollapse()
    {
        var run = Losses(Typical().Steps.Select(s => s.Loss).ToArray(), Metric(9, "validation/loss", 1), Metric(19, "validation/loss", double.NaN));
        Assert.AreEqual("Training collapsed: validation/loss became NaN at step 19", Rule.Collapse(run).Single().Title);
    }

    [TestMethod]
    public void SmallDropsAndUnknownMetricsAreNotCollapses()
    {
        // 0.9 to 0.82 is 8.9 % below the first value: within the margin. Throughput is not judged at all.
        var run = Losses(Typical().Steps.Select(s => s.Loss).ToArray(),
            Metric(9, "validation/accuracy", 0.9), Metric(19, "validation/accuracy", 0.82),
            Metric(9, "throughput", 1000), Metric(19, "throughput", 1));

        Assert.IsEmpty(Rule.Collapse(run));
        Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(run).Level);
        Assert.AreEqual("validation/accuracy fell from 0.9 to 0.82 (best 0.9 at step 9)", Rule.MetricTrends(run).Single().Title);
    }

    [TestMethod]
    public void MetricThatLosesMostOfItsGainIsAWarning()
    {
        // 0.5 -> 0.9 (gain 0.4) -> 0.6 (lost 0.3 = 75 % of the gain; still above the first value, so no collapse).
        var run = Losses(Typical().Steps.Select(s => s.Loss).ToArray(),
            Metric(9, "validation/accuracy", 0.5), Metric(19, "validation/accuracy", 0.9), Metric(29, "validation/accuracy", 0.6));

        RunVerdict verdict = FindingRules.Evaluate(run);

        Assert.AreEqual(VerdictLevel.Warnings, verdict.Level);
        Finding regressed = verdict.Findings.Single(f => f.Rule == "metric-regressed");
        Assert.AreEqual("validation/accuracy ended at 0.6 (step 29) after reaching 0.9 at step 19: it lost 75% of its gain", regressed.Title);
    }

    [TestMethod]
    public void ImprovingMetricsAreGoodNewsScoresFirst()
    {
        RunVerdict verdict = FindingRules.Evaluate(WithMetrics());

        Assert.AreEqual(VerdictLevel.Healthy, verdict.Level);
        string[] trends = verdict.Findings.Where(f => f.Rule == "metric-trend").Select(f => f.Title).ToArray();

        // Accuracy 0.5 + 0.08k for k = 1..5: 0.58 to 0.9; loss 1/k: 1 to 0.2.
        CollectionAssert.AreEqual(
            new[] { "validation/accuracy rose from 0.58 to 0.9 (best 0.9 at step 49)", "validation/loss fell from 1 to 0.2 (best 0.2 at step 49)" },
            trends);
    }

    [TestMethod]
    public void LearningRateJumpIsReportedAndNamedByTheCollapse()
    {
        var steps = CollapsingLoss.Select((l, i) => Step(i, l) with { LearningRate = i < 15 ? 0.01 : 10 });
        var run = Run(steps);

        Finding jump = Rule.LearningRateJumps(run).Single();
        Assert.AreEqual(FindingSeverity.Info, jump.Severity);
        Assert.AreEqual("The learning rate rose x1000 at step 15 (0.01 to 10)", jump.Title);
        StringAssert.Contains(Rule.Collapse(run).Single().Detail, "The learning rate rose x1000 at step 15 (0.01 to 10)");

        // A gradual warm-up (x2 per step at most) and decays are not jumps.
        var warmUp = Run(Enumerable.Range(0, 10).Select(i => Step(i, 1) with { LearningRate = 0.001 * (i + 1) }));
        Assert.IsEmpty(Rule.LearningRateJumps(warmUp));
    }
}
