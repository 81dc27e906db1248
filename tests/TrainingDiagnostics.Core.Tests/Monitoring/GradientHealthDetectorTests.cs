using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>The robust detector on synthetic signals whose truth is known.</summary>
[TestClass]
public sealed class GradientHealthDetectorTests
{
    private static double LogNormal(Random random, double median, double sigmaDecades)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return median * Math.Pow(10, sigmaDecades * z);
    }

    private static readonly double?[] NoLayers = [];

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void HealthyMinibatchNoiseRaisesNoAlarm(int seed)
    {
        // Minibatch noise: norms spread by a factor ~3 (0.25 decades) around a slowly falling median, loss falling with noise.
        var random = new Random(seed);
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 5000; step++)
        {
            double norm = LogNormal(random, 5 * Math.Exp(-step / 4000.0), 0.25);
            double loss = LogNormal(random, 2 * Math.Exp(-step / 1500.0) + 0.05, 0.15);
            var findings = detector.Observe(step, loss, norm, NoLayers);
            Assert.AreEqual(0, findings.Count, $"false alarm at step {step}: {string.Join("; ", findings.Select(f => f.Message))}");
        }
    }

    [TestMethod]
    public void ASuddenSpikeIsExploding()
    {
        var random = new Random(4);
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 100; step++)
            Assert.AreEqual(0, detector.Observe(step, 1, LogNormal(random, 2, 0.2), NoLayers).Count);
        var findings = detector.Observe(100, 1, 2000, NoLayers);
        Assert.AreEqual(AnomalyKind.ExplodingGradient, findings.Single().Kind);
        Assert.AreEqual(2000, findings[0].Value);
    }

    [TestMethod]
    public void ASustainedRiseWithoutASpikeIsCaughtWithinAFewSteps()
    {
        var random = new Random(5);
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 100; step++)
            detector.Observe(step, 1, LogNormal(random, 2, 0.1), NoLayers);
        int? flagged = null;
        for (int step = 100; step < 120 && flagged is null; step++)
        {
            double norm = 2 * Math.Pow(10, 0.2 * (step - 99)); // x1.6 per step, never a one-step decade jump
            if (detector.Observe(step, 1, norm, NoLayers).Any(f => f.Kind == AnomalyKind.ExplodingGradient))
                flagged = step;
        }
        Assert.IsNotNull(flagged);
        Assert.IsTrue(flagged <= 106, $"flagged at {flagged}");
    }

    [TestMethod]
    public void ARisingLossIsDivergingWhileStillFinite()
    {
        var random = new Random(6);
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 100; step++)
            detector.Observe(step, LogNormal(random, 0.5, 0.05), 1, NoLayers);
        var kinds = Enumerable.Range(100, 6).SelectMany(s => detector.Observe(s, 0.5 * Math.Pow(2, s - 98), 1, NoLayers)).Select(f => f.Kind).ToList();
        CollectionAssert.Contains(kinds, AnomalyKind.DivergingLoss);
    }

    [TestMethod]
    public void ALossDrivenNearlyToZeroMayDoubleWithoutDiverging()
    {
        // A memorized training set: the loss falls from 2.3 to about 1e-5, then wanders between 1e-5 and 6e-5. Its doubling
        // is noise at that scale; a climb back to a tenth of where the run started (0.23) would be divergence.
        var random = new Random(7);
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 400; step++)
        {
            double loss = Math.Max(2.3 * Math.Exp(-step / 30.0), 1e-5) * (1 + (0.05 * random.NextDouble()));
            Assert.AreEqual(0, detector.Observe(step, loss, 1, NoLayers).Count(f => f.Kind == AnomalyKind.DivergingLoss), $"step {step}");
        }
        for (int step = 400; step < 420; step++)
            Assert.AreEqual(0, detector.Observe(step, 6e-5, 1, NoLayers).Count, $"a six-fold rise at 1e-5 is not divergence (step {step})");
        var kinds = Enumerable.Range(420, 6).SelectMany(s => detector.Observe(s, 0.5, 1, NoLayers)).Select(f => f.Kind).ToList();
        CollectionAssert.Contains(kinds, AnomalyKind.DivergingLoss, "back to a fifth of the starting loss is divergence");
    }

    [TestMethod]
    public void ParametersWithZeroGradientForSeveralStepsAreDead()
    {
        var detector = new GradientHealthDetector(new MonitorOptions { DeadGradientSteps = 5 });
        for (int step = 0; step < 4; step++)
            Assert.AreEqual(0, detector.Observe(step, 1, 1, [0.0, 1.0, null]).Count);
        var finding = detector.Observe(4, 1, 1, [0.0, 1.0, null]).Single();
        Assert.AreEqual(AnomalyKind.VanishingGradient, finding.Kind);
        CollectionAssert.AreEqual(new[] { 0 }, finding.ParameterIndices.ToArray(), "frozen parameters (null) are not dead");
    }

    [TestMethod]
    public void AlarmsHaveACooldown()
    {
        var detector = new GradientHealthDetector(new MonitorOptions());
        for (int step = 0; step < 50; step++)
            detector.Observe(step, 1, 1, NoLayers);
        int alarms = Enumerable.Range(50, 10).Sum(s => detector.Observe(s, 1, 1e6, NoLayers).Count);
        Assert.AreEqual(1, alarms);
    }
}
