using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.TestSupport.SilentFaults;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>The silent-fault benchmark's reading of remedies: what a retraining applies for a finding.</summary>
[TestClass]
public sealed class RemedySetTests
{
    private static Finding With(string action, string? target = null, double? factor = null, long? step = null) => new()
    {
        Severity = FindingSeverity.Warning,
        Rule = "rule",
        Title = "title",
        Step = step,
        Remedy = new Remedy { Action = action, Target = target, Factor = factor, Text = action },
    };

    [TestMethod]
    public void FactorsMultiplyAndSwitchesTurnOnOnce()
    {
        RemedySet once = RemedySet.None.With(With(RemedyActions.ScaleLearningRate, factor: 0.1), out _)!;
        RemedySet twice = once.With(With(RemedyActions.ScaleLearningRate, factor: 0.5), out _)!;
        Assert.AreEqual(0.05, twice.LearningRateFactor, 1e-12);

        RemedySet standardized = RemedySet.None.With(With(RemedyActions.StandardizeInputs, "input"), out _)!;
        Assert.IsTrue(standardized.StandardizeInputs);
        Assert.IsNull(standardized.With(With(RemedyActions.StandardizeInputs, "input"), out string? again));
        StringAssert.Contains(again, "adds nothing");
        Assert.AreEqual("lr x0.05", twice.Describe());
    }

    [TestMethod]
    public void TargetsStepsAndNormsAreKept()
    {
        RemedySet set = RemedySet.None
            .With(With(RemedyActions.AddToOptimizer, "fc2.weight"), out _)!
            .With(With(RemedyActions.Reinitialize, "act1"), out _)!
            .With(With(RemedyActions.ReplaceActivation, "act1"), out _)!
            .With(With(RemedyActions.EarlyStop, step: 40), out _)!
            .With(With(RemedyActions.ClipGradients, factor: 1.5), out _)!
            .With(With(RemedyActions.DropLastBatch), out _)!;

        CollectionAssert.AreEqual(new[] { "fc2.weight" }, set.AddToOptimizer.ToArray());
        CollectionAssert.AreEqual(new[] { "act1" }, set.Reinitialize.ToArray());
        CollectionAssert.AreEqual(new[] { "act1" }, set.ReplaceActivation.ToArray());
        Assert.AreEqual(40L, set.StopAtStep);
        Assert.AreEqual(1.5, set.ClipGradientNorm);
        Assert.IsTrue(set.DropLastBatch);
        Assert.IsNull(set.With(With(RemedyActions.EarlyStop, step: 60), out _), "a later stop adds nothing");
    }

    [TestMethod]
    public void CheckLabelsMissingFactorsAndUnknownActionsAreRefusedWithAReason()
    {
        Assert.IsNull(RemedySet.None.With(With(RemedyActions.CheckLabels), out string? labels));
        StringAssert.Contains(labels, "check-labels cannot be applied by a program");
        Assert.IsNull(RemedySet.None.With(With(RemedyActions.ScaleLearningRate), out string? factor));
        StringAssert.Contains(factor, "scale-learning-rate adds nothing");
        Assert.IsNull(RemedySet.None.With(With("prune-the-model"), out string? unknown));
        StringAssert.Contains(unknown, "unknown action 'prune-the-model'");
        Assert.IsNull(RemedySet.None.With(new Finding { Severity = FindingSeverity.Warning, Rule = "r", Title = "t" }, out string? none));
        StringAssert.Contains(none, "carries no remedy");
    }

    [TestMethod]
    public void AFrozenLayerAddedBackTrainsAndAnUnknownTargetIsReported()
    {
        // The benchmark's frozen-layer scenario on digits, with its remedy applied by hand: fc1 moves again.
        SilentFaultScenario frozen = SilentFaultCatalog.All.First(s => s.Problem == SilentProblems.FrozenParameters);
        TrainingOutcome healed = ScenarioTraining.Run(frozen, RemedySet.None with { AddToOptimizer = ["fc1", "encoder.3"] });

        double[] weights = healed.Run.Steps.SelectMany(s => s.Layers.Where(l => l.Name == "fc1.weight" && l.WeightNorm is double).Select(l => l.WeightNorm!.Value)).ToArray();
        Assert.IsGreaterThan(2, weights.Length);
        Assert.AreNotEqual(weights[0], weights[^1]);
        CollectionAssert.AreEqual(new[] { "encoder.3" }, healed.Unresolved.ToArray());
        Assert.IsGreaterThan(0.9, healed.FinalAccuracy);
    }

    [TestMethod]
    public void ATrainingWithEveryKindOfRemedyLeavesNoTensorAlive()
    {
        SilentFaultScenario scenario = SilentFaultCatalog.All.First(s => s.Problem == SilentProblems.ChanceLevelLoss && s.Setting.Dataset == SilentDataset.Iris);
        var remedies = RemedySet.None with
        {
            StandardizeInputs = true,
            Reinitialize = ["act1"],
            ReplaceActivation = ["fc1"],
            ClipGradientNorm = 1,
            DropLastBatch = true,
            StopAtStep = 40,
        };
        ScenarioTraining.Run(scenario, remedies); // the first run loads the data and warms TorchSharp's caches

        var guard = new TestSupport.TensorLeakGuard();
        TrainingOutcome outcome = ScenarioTraining.Run(scenario, remedies);

        guard.AssertLive(0, "a benchmark training");
        Assert.AreEqual(42, outcome.Run.Steps.Count, "120 rows in batches of 16 without the last 8: 7 steps per epoch; the epoch that ends at step 41 is the first past step 40");
        Assert.IsTrue(outcome.ActivationHealth.ContainsKey("act1"));
    }
}
