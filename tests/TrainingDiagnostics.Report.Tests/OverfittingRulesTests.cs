using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The held-out loss rising from its best: overfitting (the training loss keeps falling), a collapse (the training loss worsens
/// too) and overconfidence (the held-out accuracy stays high): three runs that differ in one curve each.
/// </summary>
[TestClass]
public sealed class OverfittingRulesTests
{
    private static readonly int[] Seeds = [1, 2, 3];

    private static string Describe(RunVerdict verdict) => string.Join("; ", verdict.Findings.Select(f => $"{f.Rule}: {f.Title}"));

    /// <summary>
    /// 16 epochs of 25 steps: the training loss falls towards 0.002; the held-out loss is best after epoch 5 (0.3) and climbs to 0.78,
    /// above its first value (0.6), which the collapse rule alone called "Training collapsed".
    /// </summary>
    private static SyntheticRun Overfitting(int seed) => new(seed)
    {
        Loss = t => 0.002 + (2.3 * Math.Exp(-t / 40.0)),
        ValidationLoss = e => e <= 5 ? 0.6 - (0.06 * e) : 0.3 + (0.048 * (e - 5)),
        ValidationAccuracy = e => e <= 5 ? 0.8 + (0.02 * e) : 0.9 - (0.025 * (e - 5)),
    };

    /// <summary>The step that ends epoch <paramref name="epoch"/> (0-based), where the held-out metrics are recorded.</summary>
    private static long EndOfEpoch(int epoch) => ((epoch + 1) * SyntheticRun.StepsPerEpoch) - 1;

    [TestMethod]
    public void HeldOutLossRisingWhileTrainingLossFallsIsOverfittingNotACollapse()
    {
        foreach (int seed in Seeds)
        {
            RunVerdict verdict = FindingRules.Evaluate(Overfitting(seed).Build());

            Finding finding = verdict.Findings.Single(f => f.Rule == "overfitting");
            Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
            Assert.AreEqual(EndOfEpoch(5), finding.Step, "the best held-out step");
            StringAssert.StartsWith(finding.Title, "Overfitting: validation/loss rose");
            StringAssert.Contains(finding.Detail, "the training loss kept falling");
            Assert.AreEqual(RemedyActions.EarlyStop, finding.Remedy!.Action);
            StringAssert.Contains(finding.Remedy.Text, $"Stop at step {EndOfEpoch(5)}");

            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "collapse", Describe(verdict));
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "metric-regressed", "the same story, told once");
            Assert.AreEqual(VerdictLevel.Warnings, verdict.Level);
        }
    }

    [TestMethod]
    public void HeldOutLossRisingWhileTrainingLossRisesTooIsStillACollapse()
    {
        foreach (int seed in Seeds)
        {
            // Same held-out curves; the training loss falls to 0.3 by step 150, then climbs back to 2.5.
            var synthetic = Overfitting(seed);
            synthetic.Loss = t => t < 150 ? 0.3 + (2.0 * Math.Exp(-t / 30.0)) : 0.3 + (0.0088 * (t - 150));
            RunVerdict verdict = FindingRules.Evaluate(synthetic.Build());

            Assert.AreEqual(VerdictLevel.Failed, verdict.Level);
            Assert.AreEqual("collapse", verdict.Findings[0].Rule, Describe(verdict));
            CollectionAssert.DoesNotContain(verdict.Findings.Select(f => f.Rule).ToArray(), "overfitting");
        }
    }

    [TestMethod]
    public void HeldOutLossCreepingUpWhileAccuracyStaysHighIsOverconfidenceAWarningNeverAFailure()
    {
        foreach (int seed in Seeds)
        {
            // A well-trained classifier: held-out accuracy 0.98 throughout; its held-out loss creeps from 0.06 (epoch 3) to 0.14,
            // above its first value 0.1, as the predictions grow surer.
            var synthetic = new SyntheticRun(seed)
            {
                Loss = t => 0.0005 + (2.3 * Math.Exp(-t / 25.0)),
                ValidationLoss = e => e <= 3 ? 0.1 - (0.0133 * e) : 0.06 + (0.00667 * (e - 3)),
                ValidationAccuracy = _ => 0.98,
                ValidationNoise = 0.01,
            };
            RunVerdict verdict = FindingRules.Evaluate(synthetic.Build());

            Assert.AreEqual(VerdictLevel.Warnings, verdict.Level, Describe(verdict));
            Finding finding = verdict.Findings.Single(f => f.Rule == "overfitting");
            Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
            StringAssert.Contains(finding.Title, "overconfidence");
            StringAssert.Contains(finding.Title, "validation/accuracy stayed at 0.9");
            Assert.IsTrue(finding.Step is >= 49 and <= 124, $"the best held-out step, epochs 2 to 4 under noise: {finding.Step}");
            Assert.AreEqual(RemedyActions.EarlyStop, finding.Remedy!.Action);
        }
    }

    [TestMethod]
    public void HeldOutLossThatKeepsFallingOrWobblesOnceIsNotOverfitting()
    {
        foreach (int seed in Seeds)
        {
            Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(new SyntheticRun(seed).Build()).Level);

            // One lucky evaluation (0.05 at epoch 4 among 0.1s): a single dip is not the best model.
            var lucky = new SyntheticRun(seed)
            {
                Loss = t => 0.001 + (2.3 * Math.Exp(-t / 25.0)),
                ValidationLoss = e => e == 4 ? 0.05 : e < 4 ? 0.3 - (0.05 * e) : 0.1,
                ValidationAccuracy = _ => 0.97,
            };
            RunVerdict verdict = FindingRules.Evaluate(lucky.Build());
            Assert.AreEqual(VerdictLevel.Healthy, verdict.Level, Describe(verdict));
        }
    }
}
