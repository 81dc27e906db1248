using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>Instruments: a user's own runs at its schedule with the step's transfer; the tiers set the built-in schedules.</summary>
[TestClass]
public sealed class InstrumentTests
{
    /// <summary>The README's example: the fraction of exactly-zero gradient entries of each weight matrix.</summary>
    private sealed class ZeroGradientFraction(Schedule schedule) : Instrument("zero-grad-fraction", CostTier.Business, schedule)
    {
        private readonly List<(string Name, ModuleState.DeviceRead Read)> _reads = [];

        public List<(long Step, string Stage)> Calls { get; } = [];

        public override void BeforeForward(InstrumentContext context) => Calls.Add((context.Step, "before-forward"));

        public override void Queue(InstrumentContext context)
        {
            Calls.Add((context.Step, "queue"));
            _reads.Clear();
            for (int i = 0; i < context.Parameters.Count; i++)
                if (context.Parameters[i].grad is { } g && g.dim() == 2)
                    _reads.Add((context.ParameterNames[i], context.Reads.Add((g == 0).to(float64).mean())));
        }

        public override void Compute(InstrumentContext context)
        {
            Calls.Add((context.Step, "compute"));
            foreach (var (name, read) in _reads)
                context.RecordMetric($"zero_grad_fraction/{name}", context.Reads[read]);
        }

        public override void AfterDecision(InstrumentContext context) => Calls.Add((context.Step, context.WillStep ? "after-step" : "after-skip"));
    }

    [TestMethod]
    public void AUsersInstrumentRunsItsStagesInOrderAtItsScheduleAndRecordsMetricsMatchingTheGradients()
    {
        manual_seed(3);
        var fc1 = nn.Linear(4, 8);
        using (no_grad()) fc1.bias![..4] = full(4, -100f); // units 0-3 are dead: their rows of fc1.weight get exactly zero gradient
        var model = nn.Sequential(("fc1", fc1), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        var instrument = new ZeroGradientFraction(Schedule.Every(3));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Instruments = [instrument] });
                var results = Train(monitor, optim.SGD(model.parameters(), 0.0), 7, s => Regression(s), Mse);
        foreach (var step in new[] { 0, 3, 6 })
        {
            Assert.IsTrue(monitor.Run.Metrics.Any(m => m.Step == step && m.Name == "zero_grad_fraction/fc1.weight"), $"recorded at step {step}");
        }
        Assert.IsFalse(monitor.Run.Metrics.Any(m => m.Step is 1 or 2 or 4 or 5), "not recorded off schedule");
        using (NewDisposeScope())
        {
            double expected = (fc1.weight!.grad! == 0).to(float64).mean().item<double>();
            double recorded = monitor.Run.Metrics.Single(m => m.Step == 6 && m.Name == "zero_grad_fraction/fc1.weight").Value;
            Assert.AreEqual(0.5, expected, "half the units are dead");
            Assert.AreEqual(expected, recorded, 1e-12);
        }
        CollectionAssert.AreEqual(
            new[] { "before-forward", "queue", "compute", "after-step" },
            instrument.Calls.Where(c => c.Step == 3).Select(c => c.Stage).ToArray());
        Assert.IsTrue(instrument.Calls.All(c => c.Step % 3 == 0));
        Assert.IsTrue(results.All(r => r.IsHealthy));
        Assert.AreSame(instrument, monitor.Instruments[^1]);
    }

    [TestMethod]
    public void InstrumentsDoNotRunDuringAReplay()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("out", nn.Linear(8, 1)));
        var instrument = new ZeroGradientFraction(Schedule.Every(1));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Instruments = [instrument] });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.0), 2, s =>
        {
            var (x, y) = Regression(s);
            if (s == 1)
                x[0, 0] = float.NaN; // a replay at step 1
            return (x, y);
        }, Mse);
        Assert.AreEqual("input", results[1].Anomalies.Single().ModulePath, "the replay ran");
        CollectionAssert.AreEqual(
            new[] { "before-forward", "queue", "compute", "after-skip" },
            instrument.Calls.Where(c => c.Step == 1).Select(c => c.Stage).ToArray(), "each stage once, none from the replay");
    }

    [TestMethod]
    public void TheTiersSetTheBuiltInSchedules()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        using var economy = new TrainingMonitor(model, MonitorOptions.ForTier(CostTier.Economy) with { PublishMetrics = false });
        using var full = new TrainingMonitor(model, MonitorOptions.ForTier(CostTier.Full) with { PublishMetrics = false });
        var economyNorms = economy.Instruments.Single(i => i.Name == "weight-norms");
        var fullNorms = full.Instruments.Single(i => i.Name == "weight-norms");
        Assert.IsFalse(economyNorms.Schedule.IsDue(3));
        Assert.IsTrue(economyNorms.Schedule.IsDue(10));
        Assert.IsTrue(fullNorms.Schedule.IsDue(3));
        Assert.IsFalse(economy.Instruments.Single(i => i.Name == "batchnorm-variance").Schedule.IsDue(1));
        Assert.IsTrue(full.Instruments.Single(i => i.Name == "batchnorm-variance").Schedule.IsDue(1));
        Assert.IsTrue(economy.Instruments.Single(i => i.Name == "activation-health").Schedule.IsDue(25), "activation health is on by default");
        Assert.IsFalse(economy.Instruments.Single(i => i.Name == "activation-health").Schedule.IsDue(10));
        Assert.IsTrue(full.Instruments.Single(i => i.Name == "activation-health").Schedule.IsDue(3));
        CollectionAssert.AreEquivalent(new[] { "weight-norms", "update-ratios", "batchnorm-variance", "activation-health", "input-profile", "curvature" },
            economy.Instruments.Select(i => i.Name).ToArray());
    }

    [TestMethod]
    public void WeightNormsAreRecordedExactlyOnTheirScheduleAndMatchTheWeights()
    {
        manual_seed(4);
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, WeightNormSchedule = Schedule.Every(2) });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.0), 4, s => Regression(s), Mse);
        Assert.IsNull(results[1].Record!.Layers[0].WeightNorm);
        double expected;
        using (NewDisposeScope())
            expected = linalg.vector_norm(model.parameters().First().to(float64)).item<double>();
        Assert.AreEqual(expected, results[2].Record!.Layers[0].WeightNorm!.Value, 1e-6);
    }
}
