using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>frozen-parameters and unnormalized-input.</summary>
[TestClass]
public sealed class FrozenAndInputRulesTests
{
    private static readonly int[] Seeds = [1, 2, 3];

    [TestMethod]
    public void ParametersLeftOutOfTheOptimizerAreNamedOneByOne()
    {
        foreach (int seed in Seeds)
        {
            // fc1 left out of the optimizer: its gradients are normal, its update ratio exactly 0 at every measurement.
            var synthetic = new SyntheticRun(seed)
            {
                Loss = t => 1.0 + (1.3 * Math.Exp(-t / 80.0)),
                UpdateRatio = (p, t) => p < 2 ? 0 : 5e-3,
            };
            RunVerdict verdict = FindingRules.Evaluate(synthetic.Build());

            List<Finding> frozen = verdict.Findings.Where(f => f.Rule == "frozen-parameters").ToList();
            CollectionAssert.AreEqual(new[] { "fc1.weight", "fc1.bias" }, frozen.Select(f => f.ModulePath).ToArray());
            foreach (Finding finding in frozen)
            {
                Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
                Assert.AreEqual(0L, finding.Step, "never moved: from the first step");
                Assert.AreEqual(RemedyActions.AddToOptimizer, finding.Remedy!.Action);
                Assert.AreEqual(finding.ModulePath, finding.Remedy.Target);
                StringAssert.Contains(finding.Detail, "exactly 0 at every one of 40 measurement(s)");
            }

            Assert.AreEqual("frozen-parameters", verdict.Findings[0].Rule);
        }
    }

    [TestMethod]
    public void AParameterGroupWhoseLearningRateWentToZeroIsFrozenFromThatStep()
    {
        // fc3's group gets learning rate 0 at step 200: ratios measured at 201, 211, ... are 0 to the end.
        var synthetic = new SyntheticRun(4) { UpdateRatio = (p, t) => p >= 4 && t > 200 ? 0 : 5e-3 };

        List<Finding> frozen = Rule.Findings(synthetic.Build(), "frozen-parameters");

        CollectionAssert.AreEqual(new[] { "fc3.weight", "fc3.bias" }, frozen.Select(f => f.ModulePath).ToArray());
        Assert.IsTrue(frozen.All(f => f.Step == 201), "the first measurement of no change");
        StringAssert.Contains(frozen[0].Title, "stopped changing at step 201");
    }

    [TestMethod]
    public void ParametersWithoutGradientOrThatMoveAreNotFrozen()
    {
        foreach (int seed in Seeds)
        {
            Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(new SyntheticRun(seed).Build()).Level);
        }

        // No gradient and no update: a dead branch (the dead-gradient rule's), not a parameter the optimizer misses.
        var dead = new SyntheticRun(5) { Gradient = (p, t) => p == 1 ? 0 : 0.3, UpdateRatio = (p, t) => p == 1 ? 0 : 5e-3 };
        RunVerdict verdict = FindingRules.Evaluate(dead.Build());
        CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "frozen-parameters");
        Assert.AreEqual("fc1.bias", verdict.Findings.Single(f => f.Rule == "dead-gradient").ModulePath);
    }

    private static DataProfileRecord Profile(string name, string rule) => new()
    {
        Name = name,
        RowCount = 256,
        ScaleSpread = 2060,
        Columns =
        [
            new ColumnProfile { Name = "alcohol", Count = 256, Mean = 13, StandardDeviation = 0.8, Min = 11, Max = 15 },
            new ColumnProfile { Name = "proline", Count = 256, Mean = 746, StandardDeviation = 315, Min = 278, Max = 1680 },
            new ColumnProfile { Name = "hue", Count = 256, Mean = 0.96, StandardDeviation = 0.23, Min = 0.48, Max = 1.71 },
        ],
        Findings =
        [
            new DataFinding { Rule = rule, Severity = AnomalySeverity.Warning, Title = "Input features span a factor of 2060 in scale", Detail = "proline is about 800, hue about 1." },
        ],
    };

    [TestMethod]
    public void TheInputProfilesJudgementIsPlacedAtTheInputWithAStandardizeRemedy()
    {
        var synthetic = new SyntheticRun(6);
        synthetic.Profiles.Add(Profile(InstrumentMetricNames.InputProfile, "unnormalized-input"));

        Finding finding = Rule.Findings(synthetic.Build(), "unnormalized-input").Single();

        Assert.AreEqual("input", finding.ModulePath);
        Assert.AreEqual(0L, finding.Step, "the input was unscaled from the first batch");
        Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
        Assert.AreEqual(RemedyActions.StandardizeInputs, finding.Remedy!.Action);
        Assert.AreEqual("input", finding.Remedy.Target);
        StringAssert.Contains(finding.Detail, "the largest feature is proline (mean 746, std 315)");
        StringAssert.Contains(finding.Detail, "the smallest hue (mean 0.96, std 0.23)");
    }

    [TestMethod]
    public void MLNetsProfileGivesTheSameFindingOnceWhenBothAgree()
    {
        var synthetic = new SyntheticRun(7);
        synthetic.Profiles.Add(Profile("training data", "unnormalized-input"));
        List<Finding> alone = Rule.Findings(synthetic.Build(), "unnormalized-input");
        Assert.AreEqual("input", alone.Single().ModulePath);

        synthetic.Profiles.Add(Profile(InstrumentMetricNames.InputProfile, "unnormalized-input"));
        DiagnosticsRun both = synthetic.Build();
        Finding finding = Rule.Findings(both, "unnormalized-input").Single();
        StringAssert.Contains(finding.Detail, "1 other profile(s) agree: training data");
        Assert.AreEqual(1, FindingRules.Evaluate(both).Findings.Count(f => f.Title == finding.Title), "the data-profile rule does not repeat it");
    }

    [TestMethod]
    public void AnInputProfileWithoutFindingsRaisesNothing()
    {
        var synthetic = new SyntheticRun(8);
        synthetic.Profiles.Add(Profile(InstrumentMetricNames.InputProfile, "unnormalized-input") with { Findings = [] });
        Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(synthetic.Build()).Level);
    }
}
