using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// <c>tdiag demo --heal</c>'s mapping from the report's remedies to the next run's settings. The model is the demo's
/// Sequential(fc1: Linear 64-32, relu: ReLU, fc2: Linear 32-10): the truth every target resolves against.
/// </summary>
[TestClass]
public sealed class HealPlanTests
{
    private static readonly ModelLayout Demo = ModelLayout.OfDemo(DemoFault.None);

    private static Finding With(string rule, string action, string? target = null, double? factor = null, long? step = null, FindingSeverity severity = FindingSeverity.Warning) => new()
    {
        Severity = severity,
        Rule = rule,
        Title = rule,
        Step = step,
        ModulePath = target,
        Remedy = new Remedy { Action = action, Target = target, Factor = factor, Text = action },
    };

    private static HealPlan Plan(params Finding[] findings) => HealPlan.From(findings, DemoHealing.None, Demo);

    [TestMethod]
    public void TheDemoLayoutIsTheMlpsModulesInOrder()
    {
        CollectionAssert.AreEqual(new[] { "fc1", "relu", "fc2" }, Demo.Modules.Select(m => m.Path).ToArray());
        CollectionAssert.AreEqual(new[] { "Linear", "ReLU", "Linear" }, Demo.Modules.Select(m => m.Type).ToArray());
        CollectionAssert.AreEqual(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, Demo.Parameters.ToArray());
    }

    [TestMethod]
    public void ScaleLearningRateTakesTheMostImportantFindingsFactorAndMultipliesTheOneInForce()
    {
        HealPlan plan = Plan(
            With("oscillating-loss", RemedyActions.ScaleLearningRate, factor: 0.1),
            With("edge-of-stability", RemedyActions.ScaleLearningRate, factor: 0.5));

        Assert.AreEqual(0.1, plan.Healing.LearningRateFactor, 1e-12);
        Assert.IsTrue(plan.ChangesAnything);
        Assert.HasCount(1, plan.Applied);
        StringAssert.StartsWith(plan.Applied[0], "scale-learning-rate (oscillating-loss): learning rate x0.1");
        StringAssert.Contains(plan.NotApplied.Single(), "a more important finding already scales the learning rate");

        // A second round multiplies again: 0.1 x 0.3.
        HealPlan again = HealPlan.From([With("oscillating-loss", RemedyActions.ScaleLearningRate, factor: 0.3)], plan.Healing, Demo);
        Assert.AreEqual(0.03, again.Healing.LearningRateFactor, 1e-12);
    }

    [TestMethod]
    [DataRow(double.NaN)]
    [DataRow(0.0)]
    [DataRow(-2.0)]
    [DataRow(double.PositiveInfinity)]
    [DataRow(-1.0, true)]
    public void ScaleLearningRateWithoutAPositiveFactorIsNotApplied(double factor, bool missing = false)
    {
        HealPlan plan = Plan(With("slow-convergence", RemedyActions.ScaleLearningRate, factor: missing ? null : factor));

        Assert.IsFalse(plan.ChangesAnything);
        Assert.AreEqual(1, plan.Healing.LearningRateFactor);
        StringAssert.Contains(plan.NotApplied.Single(), "it carries no positive factor");
    }

    [TestMethod]
    [DataRow("relu", "fc1")]
    [DataRow("fc1", "fc1")]
    [DataRow("fc1.bias", "fc1")]
    [DataRow("fc2", "fc2")]
    public void ReinitializeActsOnTheLayerWithParametersAtOrBeforeTheTarget(string target, string module)
    {
        HealPlan plan = Plan(With("dying-relu", RemedyActions.Reinitialize, target));

        CollectionAssert.AreEqual(new[] { module }, plan.Healing.Reinitialize.ToArray());
        StringAssert.Contains(plan.Applied.Single(), $"{module} re-initialized");
    }

    [TestMethod]
    [DataRow("relu")]
    [DataRow("fc1")]
    [DataRow("fc1.weight")]
    public void ReplaceActivationActsOnTheReluAtOrAfterTheTarget(string target)
    {
        HealPlan plan = Plan(With("dying-relu", RemedyActions.ReplaceActivation, target));

        CollectionAssert.AreEqual(new[] { "relu" }, plan.Healing.ReplaceActivation.ToArray());
        StringAssert.Contains(plan.Applied.Single(), "relu replaced by LeakyReLU(0.01)");
    }

    [TestMethod]
    public void ReplaceActivationAfterTheLastReluIsNotApplied()
    {
        HealPlan plan = Plan(With("saturated-activation", RemedyActions.ReplaceActivation, "fc2"));

        Assert.IsFalse(plan.ChangesAnything);
        StringAssert.Contains(plan.NotApplied.Single(), "finds none at or after 'fc2'");
    }

    [TestMethod]
    public void AddToOptimizerTakesAParameterOrEveryParameterOfAModuleOnce()
    {
        HealPlan plan = Plan(
            With("frozen-parameters", RemedyActions.AddToOptimizer, "fc1.weight"),
            With("frozen-parameters", RemedyActions.AddToOptimizer, "fc1"),
            With("frozen-parameters", RemedyActions.AddToOptimizer, "encoder.0.weight"));

        CollectionAssert.AreEqual(new[] { "fc1.weight", "fc1.bias" }, plan.Healing.AddToOptimizer.ToArray());
        Assert.HasCount(2, plan.Applied);
        StringAssert.Contains(plan.Applied[0], "fc1.weight added to the optimizer");
        StringAssert.Contains(plan.Applied[1], "fc1.bias added to the optimizer");
        Assert.HasCount(1, plan.NotApplied);
        StringAssert.Contains(plan.NotApplied[0], "the model has no parameter or module 'encoder.0.weight'");
    }

    [TestMethod]
    public void ClippingTakesTheTightestNorm()
    {
        HealPlan plan = Plan(
            With("exploding-gradient", RemedyActions.ClipGradients, factor: 5),
            With("exploding-gradient", RemedyActions.ClipGradients, factor: 2),
            With("exploding-gradient", RemedyActions.ClipGradients, factor: 3));

        Assert.AreEqual(2.0, plan.Healing.ClipGradientNorm);
        StringAssert.Contains(plan.NotApplied.Single(), "gradients are already clipped to 2");
    }

    [TestMethod]
    public void EarlyStopStopsAtTheBestStep()
    {
        HealPlan plan = Plan(With("overfitting", RemedyActions.EarlyStop, step: 37));

        Assert.AreEqual(37L, plan.Healing.StopAtStep);
        Assert.AreEqual("stopped after step 37", HealPlan.Describe(plan.Healing));
    }

    [TestMethod]
    public void ChangesToTheInputsOrTheModelComeFirstAndDeferTheNumbersMeasuredBeforeThem()
    {
        // A learning-rate factor measured on unscaled inputs means nothing once they are standardized: one stage per round.
        HealPlan plan = Plan(
            With("collapse", RemedyActions.ScaleLearningRate, factor: 0.001, severity: FindingSeverity.Critical),
            With("unnormalized-input", RemedyActions.StandardizeInputs, "input"),
            With("dying-relu", RemedyActions.Reinitialize, "relu"),
            With("overfitting", RemedyActions.EarlyStop, step: 40));

        Assert.IsTrue(plan.Healing.StandardizeInputs);
        CollectionAssert.AreEqual(new[] { "fc1" }, plan.Healing.Reinitialize.ToArray());
        Assert.AreEqual(1, plan.Healing.LearningRateFactor, "deferred");
        Assert.IsNull(plan.Healing.StopAtStep, "deferred");
        Assert.HasCount(2, plan.Applied);
        Assert.HasCount(2, plan.Deferred);
        StringAssert.StartsWith(plan.Deferred[0], "scale-learning-rate (collapse): its number was measured before this round's changes");
        StringAssert.StartsWith(plan.Deferred[1], "early-stop (overfitting at step 40)");

        // Without a change to the inputs or the model, the step size comes next, and early stopping waits for it.
        HealPlan step = Plan(
            With("oscillating-loss", RemedyActions.ScaleLearningRate, factor: 0.1),
            With("overfitting", RemedyActions.EarlyStop, step: 40));
        Assert.AreEqual(0.1, step.Healing.LearningRateFactor, 1e-12);
        Assert.IsNull(step.Healing.StopAtStep);
        StringAssert.StartsWith(step.Deferred.Single(), "early-stop (overfitting at step 40)");
    }

    [TestMethod]
    public void ARemedyAlreadyInForceDoesNotHoldBackTheNextStage()
    {
        var standardized = DemoHealing.None with { StandardizeInputs = true };
        HealPlan plan = HealPlan.From(
            [With("unnormalized-input", RemedyActions.StandardizeInputs, "input"), With("slow-convergence", RemedyActions.ScaleLearningRate, factor: 30)],
            standardized,
            Demo);

        Assert.AreEqual(30, plan.Healing.LearningRateFactor, 1e-12);
        Assert.IsEmpty(plan.Deferred);
        StringAssert.Contains(plan.NotApplied.Single(), "already standardized");
    }

    [TestMethod]
    public void EarlyStopWithoutAStepIsNotApplied()
    {
        HealPlan plan = Plan(With("overfitting", RemedyActions.EarlyStop));

        Assert.IsNull(plan.Healing.StopAtStep);
        StringAssert.Contains(plan.NotApplied.Single(), "names no best step");
    }

    [TestMethod]
    public void StandardizeAndDropLastBatchAreSwitchesAppliedOnce()
    {
        HealPlan plan = Plan(
            With("unnormalized-input", RemedyActions.StandardizeInputs, "input"),
            With("batchnorm", RemedyActions.DropLastBatch, "bn"));

        Assert.IsTrue(plan.Healing.StandardizeInputs);
        Assert.IsTrue(plan.Healing.DropLastBatch);
        Assert.AreEqual("inputs standardized, last incomplete batch dropped", HealPlan.Describe(plan.Healing));

        HealPlan again = HealPlan.From([With("unnormalized-input", RemedyActions.StandardizeInputs, "input")], plan.Healing, Demo);
        Assert.IsFalse(again.ChangesAnything, "a remedy already in force is no change");
        StringAssert.Contains(again.NotApplied.Single(), "already standardized");
    }

    [TestMethod]
    public void CheckLabelsCannotBeAppliedAndSaysSo()
    {
        HealPlan plan = Plan(With("chance-level-loss", RemedyActions.CheckLabels));

        Assert.IsFalse(plan.ChangesAnything);
        Assert.IsTrue(plan.Healing.IsEmpty);
        StringAssert.StartsWith(plan.NotApplied.Single(), "check-labels (chance-level-loss): it cannot be applied automatically");
    }

    [TestMethod]
    public void FindingsWithoutARemedyOrWithAnUnknownActionChangeNothing()
    {
        var plain = new Finding { Severity = FindingSeverity.Critical, Rule = "collapse", Title = "Training collapsed" };
        HealPlan plan = Plan(plain, With("future-rule", "rewrite-the-model", "fc1"));

        Assert.IsFalse(plan.ChangesAnything);
        Assert.IsTrue(plan.Healing.IsEmpty);
        Assert.HasCount(0, plan.Applied);
        StringAssert.Contains(plan.NotApplied.Single(), "rewrite-the-model (future-rule in fc1): the demo does not know this action");
    }

    [TestMethod]
    public void TheDescriptionNamesEveryChange()
    {
        var healing = new DemoHealing
        {
            LearningRateFactor = 0.1,
            AddToOptimizer = ["fc1.weight"],
            Reinitialize = ["fc1"],
            ReplaceActivation = ["relu"],
            StopAtStep = 12,
            ClipGradientNorm = 1.5,
        };

        Assert.AreEqual(
            "lr x0.1, fc1.weight added to the optimizer, fc1 re-initialized, relu -> LeakyReLU, stopped after step 12, gradients clipped to 1.5",
            HealPlan.Describe(healing));
        Assert.AreEqual("none", HealPlan.Describe(DemoHealing.None));
    }
}
