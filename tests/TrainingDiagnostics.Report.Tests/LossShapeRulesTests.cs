using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// vanishing-gradient, oscillating-loss, slow-convergence and chance-level-loss, each on a synthetic run with its fault planted in
/// one curve and the minibatch noise of a real run, against healthy controls with the same noise.
/// </summary>
[TestClass]
public sealed class LossShapeRulesTests
{
    private static readonly int[] Seeds = [1, 2, 3];

    private static string Describe(RunVerdict verdict) => string.Join("; ", verdict.Findings.Select(f => $"{f.Rule}: {f.Title}"));

    [TestMethod]
    public void HealthyRunsWithMinibatchNoiseRaiseNoWarning()
    {
        foreach (int seed in Seeds)
        {
            // The default: a loss from ln 10 towards 0.08 with log-normal noise (10th to 90th percentile a factor 2.5 apart).
            RunVerdict verdict = FindingRules.Evaluate(new SyntheticRun(seed).Build());
            Assert.AreEqual(VerdictLevel.Healthy, verdict.Level, Describe(verdict));

            // A slow, normal tail: most of the fall early, then a long, noisy, barely falling stretch.
            var tail = new SyntheticRun(seed) { Steps = 1000, Loss = t => 0.25 + (2.05 * Math.Exp(-t / 40.0)) - (0.00005 * t) };
            verdict = FindingRules.Evaluate(tail.Build());
            Assert.AreEqual(VerdictLevel.Healthy, verdict.Level, "slow tail: " + Describe(verdict));

            // Spiky minibatches near zero (small batches, a few hard samples): large swings relative to a tiny level, no held-out loss.
            var spiky = new SyntheticRun(seed) { LossNoise = 0.9, Loss = t => 0.02 + (1.08 * Math.Exp(-t / 30.0)), ValidationLoss = null, ValidationAccuracy = null };
            verdict = FindingRules.Evaluate(spiky.Build());
            Assert.AreEqual(VerdictLevel.Healthy, verdict.Level, "spiky near zero: " + Describe(verdict));

            // A hard task: the loss plateaus at half its start with large minibatch noise, while the held-out loss is steady.
            var plateau = new SyntheticRun(seed) { LossNoise = 0.4, Loss = t => 1.1 + (1.2 * Math.Exp(-t / 50.0)), ValidationLoss = e => 1.15 + Math.Exp(-e) };
            verdict = FindingRules.Evaluate(plateau.Build());
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "oscillating-loss", "noisy plateau: " + Describe(verdict));
        }
    }

    [TestMethod]
    public void GradientsVanishingThroughDepthArePlacedAtTheFirstLayer()
    {
        // Nine layers, eight sigmoids between them: each passes on a quarter of the gradient (4^8 = 65536 from the last layer to the first); the loss stays at ln 10.
        string[] names = Enumerable.Range(0, 9).SelectMany(i => new[] { $"net.{2 * i}.weight", $"net.{2 * i}.bias" }).ToArray();
        foreach (int seed in Seeds)
        {
            var synthetic = new SyntheticRun(seed)
            {
                Parameters = names,
                Loss = _ => 2.31,
                LossNoise = 0.02,
                Gradient = (p, t) => 0.3 * Math.Pow(0.25, 8 - (p / 2)),
                UpdateRatio = (p, t) => 1e-2 * Math.Pow(0.25, 8 - (p / 2)),
                ValidationLoss = _ => 2.31,
                ValidationAccuracy = _ => 0.1,
            };
            synthetic.Activations.Clear();
            for (int i = 0; i < 8; i++)
            {
                synthetic.Activations.Add(($"net.{(2 * i) + 1}", InstrumentMetricNames.SaturatedFractionPrefix, _ => 0.0));
            }

            RunVerdict verdict = FindingRules.Evaluate(synthetic.Build());
            Finding finding = verdict.Findings.Single(f => f.Rule == "vanishing-gradient");

            Assert.AreEqual("net.0", finding.ModulePath, "the earliest layer");
            Assert.AreEqual(0L, finding.Step);
            Assert.AreEqual(RemedyActions.ReplaceActivation, finding.Remedy!.Action);
            Assert.AreEqual("net.1", finding.Remedy.Target, "the activation that net.0 feeds");
            StringAssert.Contains(finding.Detail, "4.8 orders of magnitude", "log10(4^8)");
            Assert.AreEqual("vanishing-gradient", verdict.Findings[0].Rule, Describe(verdict));
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "slow-convergence", "no learning rate makes the gradient reach net.0");
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "chance-level-loss");
        }
    }

    [TestMethod]
    public void AGradientGapWhileTheLossFallsIsNotVanishing()
    {
        // The first layer's gradient 300 times smaller than the last's, but the loss falls as in the healthy default.
        var synthetic = new SyntheticRun(9) { Gradient = (p, t) => p == 0 ? 0.001 : 0.3 };
        CollectionAssert.DoesNotContain(FindingRules.Evaluate(synthetic.Build()).Findings.Select(f => f.Rule).ToArray(), "vanishing-gradient");
    }

    /// <summary>A learning rate far too high: the loss and the held-out loss swing around 0.5 from step 40 on, the weights move 2 % per step.</summary>
    private static SyntheticRun Oscillating(int seed) => new(seed)
    {
        Loss = t => t < 40 ? 2.3 - (0.045 * t) : 0.5,
        LossNoise = 0.5,
        UpdateRatio = (p, t) => 0.02,
        ValidationLoss = e => e % 2 == 0 ? 0.45 : 0.95,
        ValidationAccuracy = e => e % 2 == 0 ? 0.88 : 0.7,
    };

    [TestMethod]
    public void LossSwingingWithoutTrendLowersTheLearningRateByTheUpdateRatios()
    {
        foreach (int seed in Seeds)
        {
            DiagnosticsRun run = Oscillating(seed).Build();

            Finding finding = Rule.Findings(run, "oscillating-loss").Single();

            Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
            Assert.IsTrue(finding.Step is >= 20 and <= 60, $"began when the loss reached its band, got {finding.Step}: {finding.Title}");
            Assert.AreEqual(RemedyActions.ScaleLearningRate, finding.Remedy!.Action);

            // The weights move 2 % per step (median over the weight tensors, with the generator's log-normal noise); the remedy aims at
            // 3e-3, the middle of the healthy 1e-3 to 1e-2.
            double median = RunEvidenceTruth.MedianWeightUpdateRatio(run);
            Assert.AreEqual(3e-3 / median, finding.Remedy.Factor!.Value, 1e-9);
            Assert.IsTrue(finding.Remedy.Factor is > 0.1 and < 0.2, $"about 3e-3 / 0.02 = 0.15, got {finding.Remedy.Factor}");
            StringAssert.Contains(finding.Remedy.Text, "from 0.01 to");
            StringAssert.Contains(finding.Remedy.Text, "healthy");
        }
    }

    [TestMethod]
    public void MeasuredSharpnessSetsTheCutWhenTheRunHasIt()
    {
        // lr 0.01, so 2/lr = 200; the top eigenvalue is 600: three times the edge. A step of 1/λ is lr / 6.
        var synthetic = Oscillating(4);
        for (int k = 0; k < 10; k++)
        {
            synthetic.Curvature.Add(new CurvatureRecord { Step = 40 * k, Quantity = CurvatureQuantity.TopEigenvalue, Value = 600, Residual = 1, MatVecs = 20, Converged = true });
        }

        Finding finding = Rule.Findings(synthetic.Build(), "oscillating-loss").Single();

        Assert.AreEqual(1 / 6.0, finding.Remedy!.Factor!.Value, 1e-12);
        StringAssert.Contains(finding.Remedy.Text, "sharpness");
    }

    [TestMethod]
    public void LossThatCrawlsWithTinyUpdatesRaisesTheLearningRate()
    {
        foreach (int seed in Seeds)
        {
            // Updates of 5e-5 of the weights per step: the loss moves from 2.31 to 2.25 in 400 steps.
            var synthetic = new SyntheticRun(seed)
            {
                Loss = t => 2.31 - (0.00015 * t),
                LossNoise = 0.02,
                UpdateRatio = (p, t) => 5e-5,
                ValidationLoss = e => 2.3 - (0.004 * e),
                ValidationAccuracy = e => 0.1 + (0.01 * e),
            };
            DiagnosticsRun run = synthetic.Build();

            RunVerdict verdict = FindingRules.Evaluate(run);
            Finding finding = verdict.Findings.Single(f => f.Rule == "slow-convergence");

            Assert.AreEqual(0L, finding.Step);
            Assert.AreEqual(RemedyActions.ScaleLearningRate, finding.Remedy!.Action);
            double median = RunEvidenceTruth.MedianWeightUpdateRatio(run);
            // Aimed at 1e-2 per step, the top of the healthy band, and clamped to the largest raise (x100).
            Assert.AreEqual(Math.Clamp(1e-2 / median, 2, 100), finding.Remedy.Factor!.Value, 1e-9, "to 1e-2 per step, the top of the healthy band, at most x100");
            if (1e-2 / median > 100)
                StringAssert.Contains(finding.Remedy.Text, "clamped");
            Assert.AreEqual("slow-convergence", verdict.Findings[0].Rule, Describe(verdict));
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "chance-level-loss", "tiny updates explain a flat loss");
        }
    }

    [TestMethod]
    public void AConvergedRunWithSmallLateUpdatesIsNotSlow()
    {
        // Updates small (2e-4) but the loss fell to almost nothing: converged, not slow.
        var converged = new SyntheticRun(10) { UpdateRatio = (p, t) => 2e-4, Loss = t => 0.001 + (0.95 * Math.Exp(-t / 20.0)) };
        RunVerdict verdict = FindingRules.Evaluate(converged.Build());
        CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "slow-convergence", Describe(verdict));
    }

    /// <summary>Shuffled labels: the loss stays at ln 10 (the held-out loss too) while the weights move normally.</summary>
    private static SyntheticRun Shuffled(int seed) => new(seed)
    {
        Loss = _ => Math.Log(10),
        LossNoise = 0.02,
        ValidationLoss = _ => 2.31,
        ValidationAccuracy = _ => 0.1,
    };

    [TestMethod]
    public void LossAtTheLevelOfAConstantPredictionChecksTheLabels()
    {
        foreach (int seed in Seeds)
        {
            RunVerdict verdict = FindingRules.Evaluate(Shuffled(seed).Build());

            Finding finding = verdict.Findings[0];
            Assert.AreEqual("chance-level-loss", finding.Rule, Describe(verdict));
            Assert.AreEqual(0L, finding.Step);
            Assert.AreEqual(RemedyActions.CheckLabels, finding.Remedy!.Action);
            Assert.IsNull(finding.Remedy.Factor);
            StringAssert.Contains(finding.Detail, "ln 10");
            Assert.IsFalse(verdict.Findings.Any(f => f.Rule == "loss-trend" && f.Severity == FindingSeverity.Warning), "the generic warning would only repeat it");
        }
    }

    [TestMethod]
    public void MemorizedNoiseLabelsAreChanceLevelNotOverfittingNorCollapse()
    {
        // A wide model memorizes shuffled labels: the training loss falls by 20 %, the held-out loss climbs above ln 10.
        var synthetic = Shuffled(11);
        synthetic.Loss = t => Math.Log(10) * (1 - (0.2 * t / 400.0));
        synthetic.ValidationLoss = e => 2.3 + (0.025 * e);

        RunVerdict verdict = FindingRules.Evaluate(synthetic.Build());

        string[] rules = verdict.Findings.Where(f => f.Severity > FindingSeverity.Info).Select(f => f.Rule).ToArray();
        CollectionAssert.AreEqual(new[] { "chance-level-loss" }, rules, Describe(verdict));
        Assert.AreEqual(VerdictLevel.Warnings, verdict.Level);
    }
}
