using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>dying-relu and saturated-activation, on synthetic runs whose activation readings are known by construction.</summary>
[TestClass]
public sealed class ActivationRulesTests
{
    private static readonly int[] Seeds = [1, 2, 3];

    /// <summary>The second ReLU dies at step 100 (a learning-rate accident): 97 % of its units dead from there on, the loss stuck.</summary>
    private static DiagnosticsRun KilledAtStep100(int seed)
    {
        var run = new SyntheticRun(seed)
        {
            Loss = t => t < 100 ? 0.9 + (1.4 * Math.Exp(-t / 40.0)) : 1.05,
            ValidationLoss = e => (e + 1) * SyntheticRun.StepsPerEpoch < 100 ? 1.2 : 1.1,
        };
        run.Activations[1] = ("relu2", InstrumentMetricNames.DeadFractionPrefix, t => t < 100 ? 0.2 : 0.97);
        return run.Build();
    }

    [TestMethod]
    public void ReluKilledDuringTrainingIsPlacedAtTheActivationFromTheStepItDied()
    {
        foreach (int seed in Seeds)
        {
            DiagnosticsRun run = KilledAtStep100(seed);

            Finding finding = Rule.Findings(run, "dying-relu").Single();

            Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
            Assert.AreEqual("relu2", finding.ModulePath);
            Assert.AreEqual(100L, finding.Step, "the first reading after the units died (readings every 20 steps)");
            StringAssert.Contains(finding.Detail, "died during training");

            // relu2 follows fc2 (same number): the layer to re-initialize.
            Assert.AreEqual(RemedyActions.Reinitialize, finding.Remedy!.Action);
            Assert.AreEqual("fc2", finding.Remedy.Target);
            Assert.IsNull(finding.Remedy.Factor);
            StringAssert.Contains(finding.Remedy.Text, "Lower the learning rate");
        }
    }

    [TestMethod]
    public void ReluDeadAtInitializationLeadsOverTheMonitorsVanishingGradientIncident()
    {
        var synthetic = new SyntheticRun(4)
        {
            Loss = _ => 2.303,
            ValidationLoss = _ => 2.303,
            ValidationAccuracy = _ => 0.1,
            Gradient = (p, t) => p < 4 ? 0 : p == 5 ? 0.1 : 0, // nothing reaches fc1 and fc2; only fc3's bias learns
            UpdateRatio = (p, t) => p == 5 ? 0.01 : 0,
        };
        synthetic.Activations[1] = ("relu2", InstrumentMetricNames.DeadFractionPrefix, _ => 1.0);

        // What the monitor writes today for this run: "vanishing gradient in relu2".
        synthetic.Anomalies.Add(new AnomalyEvent
        {
            Kind = AnomalyKind.VanishingGradient,
            Step = 2,
            Phase = AnomalyPhase.Backward,
            ModulePath = "relu2",
            Operation = "ReLU",
            Message = "ReLU 'relu2' receives a gradient of norm 0.12 and passes on exactly zero: every layer before it learns nothing.",
        });
        DiagnosticsRun run = synthetic.Build();

        RunVerdict verdict = FindingRules.Evaluate(run);

        Finding headline = verdict.Findings[0];
        Assert.AreEqual("dying-relu", headline.Rule);
        Assert.AreEqual("relu2", headline.ModulePath);
        Assert.AreEqual(0L, headline.Step);
        StringAssert.Contains(headline.Title, "every unit");
        StringAssert.Contains(headline.Detail, "from the first reading");
        StringAssert.Contains(headline.Detail, "no gradient reaches fc1.weight, fc1.bias, fc2.weight");
        Assert.AreEqual("fc2", headline.Remedy!.Target);

        // The incident stays in the report's incidents; as a finding it would tell the wrong story, and so would these.
        string[] rules = verdict.Findings.Select(f => f.Rule).ToArray();
        CollectionAssert.DoesNotContain(rules, "incident");
        CollectionAssert.DoesNotContain(rules, "dead-gradient");
        CollectionAssert.DoesNotContain(rules, "chance-level-loss", "a dead layer explains a constant prediction: the labels are not the suspect");
        Assert.IsFalse(verdict.Findings.Any(f => f.Rule == "loss-trend" && f.Severity == FindingSeverity.Warning));
        StringAssert.Contains(TestRuns.Render(run), "step 2: VanishingGradient in relu2</summary>", "the incident is still listed");
    }

    [TestMethod]
    public void NumberedContainersAndUnknownOrderGiveTheRightRemedy()
    {
        // Sequential numbering: layers.3 is fed by layers.2, the nearest lower number with parameters.
        var numbered = new SyntheticRun(5) { Parameters = ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias"] };
        numbered.Activations.Clear();
        numbered.Activations.Add(("layers.1", InstrumentMetricNames.DeadFractionPrefix, _ => 0.2));
        numbered.Activations.Add(("layers.3", InstrumentMetricNames.DeadFractionPrefix, _ => 0.8));
        Finding finding = Rule.Findings(numbered.Build(), "dying-relu").Single();
        Assert.AreEqual("layers.3", finding.ModulePath);
        Assert.AreEqual("layers.2", finding.Remedy!.Target);
        Assert.AreEqual(RemedyActions.Reinitialize, finding.Remedy.Action);

        // An activation named without a number among three layers: the log cannot tell which layer feeds it.
        var unnamed = new SyntheticRun(6);
        unnamed.Activations.Clear();
        unnamed.Activations.Add(("act", InstrumentMetricNames.DeadFractionPrefix, _ => 0.8));
        finding = Rule.Findings(unnamed.Build(), "dying-relu").Single();
        Assert.AreEqual(RemedyActions.ReplaceActivation, finding.Remedy!.Action);
        Assert.AreEqual("act", finding.Remedy.Target);
    }

    [TestMethod]
    public void HealthyReluLayersWithAThirdOfTheirUnitsIdleRaiseNothing()
    {
        foreach (int seed in Seeds)
        {
            var healthy = new SyntheticRun(seed);

            // 40 % of the units idle for the batch, readings noisy (a healthy digits MLP sits at 20 to 40 %).
            healthy.Activations[0] = ("relu1", InstrumentMetricNames.DeadFractionPrefix, t => 0.4);
            RunVerdict verdict = FindingRules.Evaluate(healthy.Build());

            Assert.AreEqual(VerdictLevel.Healthy, verdict.Level, string.Join("; ", verdict.Findings.Select(f => f.Title)));
        }
    }

    [TestMethod]
    public void SigmoidSaturatedFromTheStartIsPlacedAtTheActivationAndItsLayerReinitialized()
    {
        foreach (int seed in Seeds)
        {
            var synthetic = new SyntheticRun(seed) { Loss = t => 0.5 + (1.8 * Math.Exp(-t / 150.0)) };
            synthetic.Activations.Clear();
            synthetic.Activations.Add(("sig1", InstrumentMetricNames.SaturatedFractionPrefix, _ => 0.75));
            synthetic.Activations.Add(("sig2", InstrumentMetricNames.SaturatedFractionPrefix, _ => 0.02));

            Finding finding = Rule.Findings(synthetic.Build(), "saturated-activation").Single();

            Assert.AreEqual("sig1", finding.ModulePath);
            Assert.AreEqual(0L, finding.Step);
            Assert.AreEqual(RemedyActions.Reinitialize, finding.Remedy!.Action);
            Assert.AreEqual("fc1", finding.Remedy.Target);
        }
    }

    [TestMethod]
    public void SaturationThatGrowsDuringTrainingReplacesTheActivationAndSmallPreActivationsAreNotSaturation()
    {
        var growing = new SyntheticRun(7);
        growing.Activations.Clear();
        growing.Activations.Add(("tanh2", InstrumentMetricNames.SaturatedFractionPrefix, t => Math.Min(0.95, t / 200.0)));
        Finding finding = Rule.Findings(growing.Build(), "saturated-activation").Single();
        Assert.AreEqual("tanh2", finding.ModulePath);
        Assert.AreEqual(RemedyActions.ReplaceActivation, finding.Remedy!.Action);
        Assert.AreEqual("tanh2", finding.Remedy.Target);
        Assert.IsTrue(finding.Step is > 100 and <= 120, $"first reading above half: t/200 > 0.5 first at step 120 in expectation, got {finding.Step}");

        // Pre-activations near zero give outputs in the linear middle: no reading counts them.
        var middle = new SyntheticRun(8);
        middle.Activations.Clear();
        middle.Activations.Add(("tanh1", InstrumentMetricNames.SaturatedFractionPrefix, _ => 0.0));
        Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(middle.Build()).Level);
    }
}
