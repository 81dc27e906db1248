using System.Text.RegularExpressions;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// Instruments as quantities: what an instrument measures reaches others (and the monitor) only as a declared quantity,
/// producers run before their readers whatever the list's order, and the declarations are checked when the monitor is built.
/// </summary>
[TestClass]
public sealed partial class InstrumentQuantityTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly Quantity<double> Doubled = new("doubled-weight-norm", "twice the sum of the weight norms (a test quantity)");

    /// <summary>Publishes twice the sum of the built-in weight norms, from the quantity it requires.</summary>
    private sealed class Producer(Schedule schedule) : Instrument("producer", CostTier.Economy, schedule)
    {
        public override IReadOnlyCollection<Quantity> Publishes { get; } = [Doubled];

        public override IReadOnlyCollection<Quantity> Requires { get; } = [Quantities.WeightNorms];

        public override void Compute(InstrumentContext context)
        {
            if (context.TryGet(Quantities.WeightNorms, out var norms))
                context.Publish(Doubled, 2 * norms.Sum());
        }
    }

    /// <summary>Records what the producer published, or -1 when it published nothing at the step.</summary>
    private sealed class Consumer() : Instrument("consumer", CostTier.Economy, Schedule.Every(1))
    {
        public override IReadOnlyCollection<Quantity> Requires { get; } = [Doubled];

        public override void Compute(InstrumentContext context) =>
            context.RecordMetric("consumer/doubled", context.TryGet(Doubled, out double value) ? value : -1);
    }

    /// <summary>Declares what it is given; computes nothing.</summary>
    private sealed class Declaring(string name, Quantity[] publishes, Quantity[] requires) : Instrument(name, CostTier.Economy, Schedule.Every(1))
    {
        public override IReadOnlyCollection<Quantity> Publishes => publishes;

        public override IReadOnlyCollection<Quantity> Requires => requires;

        public override void Compute(InstrumentContext context)
        {
        }
    }

    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(("fc1", nn.Linear(4, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()),
            ("fc2", nn.Linear(16, 8)), ("tanh", nn.Tanh()), ("out", nn.Linear(8, 1)));
    }

    /// <summary>
    /// Every built-in instrument due at every step (curvature every fourth), under Heal (which reads the update ratios and the
    /// sharpness), through a learning-rate spike that the update ratios flag; the built-ins listed in the order given.
    /// </summary>
    private (string[] Log, float[] Weights, IReadOnlyList<string> Order) Run(Func<List<Instrument>, IEnumerable<Instrument>>? arrange, string name)
    {
        var model = Net(11);
        string log = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"quantities-{name}-{Guid.NewGuid():N}.jsonl");
        var optimizer = optim.SGD(model.parameters(), 0.05);
        var every = Schedule.Every(1);
        var options = new MonitorOptions
        {
            PublishMetrics = false,
            RunLogPath = log,
            Policy = AnomalyPolicy.Heal,
            Optimizer = optimizer,
            WeightNormSchedule = every,
            UpdateRatioSchedule = every,
            ActivationStatisticsSchedule = every,
            ActivationHealthSchedule = every,
            InputProfileBatches = 3,
            CurvatureSchedule = Schedule.Every(4),
            CurvatureMatVecBudget = 4,
            RollbackSchedule = Schedule.Every(2),
            Instruments = [new Consumer(), new Producer(Schedule.Every(2))],
        };
        IReadOnlyList<string> order;
        using (var monitor = new TrainingMonitor(model, options, arrange))
        {
            order = monitor.InstrumentOrder;
            Train(monitor, optimizer, 12, s => Regression(s, rows: 16), Mse, beforeStep: s =>
            {
                if (s is 6 or 7)
                    optimizer.ParamGroups.First().LearningRate = s == 6 ? 500 : 0.05; // one huge update at step 6
            });
        }
        var lines = File.ReadAllLines(log).Select(l => Timing().Replace(l, "\"$1\":0")).ToArray();
        File.Delete(log);
        float[] weights;
        using (NewDisposeScope())
            weights = [.. model.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray())];
        return (lines, weights, order);
    }

    /// <summary>The fields that time the run (wall clock, durations): all that may differ between two identical runs.</summary>
    [GeneratedRegex("\"(elapsedMilliseconds|startedAt)\":(\"[^\"]*\"|[-0-9.eE+]+)")]
    private static partial Regex Timing();

    [TestMethod]
    public void TheBuiltInInstrumentsInAnyOrderGiveTheSameRunLogAndTheSameWeights()
    {
        var (log, weights, order) = Run(null, "listed");
        Assert.IsTrue(log.Length > 20, "a step line per step and more");
        Assert.IsTrue(log.Any(l => l.Contains("\"updateRatios\"", StringComparison.Ordinal)), "update ratios were recorded");
        Assert.IsTrue(log.Any(l => l.Contains("ExplodingGradient", StringComparison.Ordinal)), "the spike was flagged by the update ratios");
        Assert.IsTrue(log.Any(l => l.Contains("\"kind\":\"curvature\"", StringComparison.Ordinal)), "curvature was estimated");
        Assert.IsTrue(log.Any(l => l.Contains("\"kind\":\"heal\"", StringComparison.Ordinal)), "the healer acted");
        var orders = new HashSet<string> { string.Join(",", order) };
        var arrangements = new List<(string Name, Func<List<Instrument>, IEnumerable<Instrument>> Arrange)> { ("reversed", b => Enumerable.Reverse(b)) };
        foreach (int seed in new[] { 1, 2, 3 })
            arrangements.Add(($"seed{seed}", b =>
            {
                var shuffled = b.ToArray();
                new Random(seed).Shuffle(shuffled);
                return shuffled;
            }));
        foreach (var (name, arrange) in arrangements)
        {
            var (otherLog, otherWeights, otherOrder) = Run(arrange, name);
            orders.Add(string.Join(",", otherOrder));
            Assert.IsTrue(otherOrder.ToList().IndexOf("weight-norms") < otherOrder.ToList().IndexOf("update-ratios"), $"{name}: the producer runs first");
            Assert.IsTrue(otherOrder.ToList().IndexOf("producer") < otherOrder.ToList().IndexOf("consumer"), $"{name}: the producer runs first");
            Assert.AreEqual(log.Length, otherLog.Length, $"{name}: as many records");
            for (int i = 0; i < log.Length; i++)
                Assert.AreEqual(log[i], otherLog[i], $"{name}: record {i}");
            CollectionAssert.AreEqual(weights, otherWeights, $"{name}: the same weights, bit for bit");
        }
        Assert.IsTrue(orders.Count >= 3, $"the arrangements ran the instruments in different orders; got {orders.Count}: {string.Join(" | ", orders)}");
    }

    [TestMethod]
    public void AProducerRunsBeforeItsReaderWhateverTheListOrderAndItsValueIsThereOnlyAtItsSteps()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            WeightNormSchedule = Schedule.Every(1),
            Instruments = [new Consumer(), new Producer(Schedule.Every(2))], // the reader first in the list
        });
        var order = monitor.InstrumentOrder.ToList();
        Assert.IsTrue(order.IndexOf("weight-norms") < order.IndexOf("producer") && order.IndexOf("producer") < order.IndexOf("consumer"), string.Join(", ", order));
        Train(monitor, optim.SGD(model.parameters(), 0.0), 4, s => Regression(s), Mse); // lr 0: the weights never move
        double expected;
        using (NewDisposeScope())
            expected = 2 * model.parameters().Sum(p => linalg.vector_norm(p.to(float64)).item<double>());
        var recorded = monitor.Run.Metrics.Where(m => m.Name == "consumer/doubled").OrderBy(m => m.Step).Select(m => m.Value).ToArray();
        Assert.AreEqual(4, recorded.Length);
        Assert.AreEqual(expected, recorded[0], 1e-5, "step 0: the producer's value, from the built-in weight norms");
        Assert.AreEqual(-1, recorded[1], "step 1: the producer was not due, nothing was published (not step 0's value)");
        Assert.AreEqual(expected, recorded[2], 1e-5);
        Assert.AreEqual(-1, recorded[3]);
    }

    [TestMethod]
    public void ACycleOfRequirementsIsRefusedWhenTheMonitorIsBuiltNamingItsInstrumentsAndQuantities()
    {
        var qa = new Quantity<double>("qa", "test");
        var qb = new Quantity<double>("qb", "test");
        var a = new Declaring("alpha", [qa], [qb]);
        var b = new Declaring("beta", [qb], [qa]);
        var model = nn.Sequential(("fc", nn.Linear(4, 3)), ("bn", nn.BatchNorm1d(3)));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Instruments = [new Declaring("free", [], []), a, b] }));
        StringAssert.Contains(e.Message, "cycle");
        StringAssert.Contains(e.Message, "'alpha' requires 'qb' from 'beta'");
        StringAssert.Contains(e.Message, "'beta' requires 'qa' from 'alpha'");
        Assert.IsFalse(e.Message.Contains("'free'", StringComparison.Ordinal), "only the cycle is named");

        // The refused monitor took its hooks off: a monitor built afterwards sees one BatchNorm call per forward pass.
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using (NewDisposeScope())
            model.call(randn(8, 4));
        Assert.AreEqual(1, monitor.BatchNormHookInvocations);
    }

    [TestMethod]
    public void ARequiredQuantityThatNoInstrumentPublishesIsRefusedWhenTheMonitorIsBuilt()
    {
        var orphan = new Quantity<int>("orphan", "test");
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Instruments = [new Declaring("needy", [], [orphan])] }));
        StringAssert.Contains(e.Message, "'needy' requires the quantity 'orphan', which no instrument of this monitor publishes");
    }

    [TestMethod]
    public void AQuantityWithTwoProducersIsRefusedWhenTheMonitorIsBuilt()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new TrainingMonitor(model,
            new MonitorOptions { PublishMetrics = false, Instruments = [new Declaring("mine", [Quantities.WeightNorms], [])] }));
        StringAssert.Contains(e.Message, "'weight-norms' is published by two instruments, 'weight-norms' and 'mine'");
    }

    /// <summary>Reads and publishes without declaring: each is the instrument's failure, contained like any other.</summary>
    private sealed class Undeclared(bool publish) : Instrument(publish ? "undeclared-publish" : "undeclared-read", CostTier.Economy, Schedule.Every(1))
    {
        public override void Compute(InstrumentContext context)
        {
            if (publish)
                context.Publish(Doubled, 1.0);
            else
                context.TryGet(Quantities.WeightNorms, out _);
        }
    }

    [TestMethod]
    public void AnUndeclaredReadOrPublishIsTheInstrumentsContainedFailure()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            Instruments = [new Undeclared(publish: false), new Undeclared(publish: true)],
        });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 2, s => Regression(s), Mse);
        Assert.IsTrue(results.All(r => r.IsHealthy && r.ShouldStep), "the steps go on");
        var read = monitor.Run.InstrumentFailures.First(f => f.Instrument == "undeclared-read");
        StringAssert.Contains(read.Message, "read the quantity 'weight-norms' without declaring it");
        StringAssert.Contains(read.Message, "add 'weight-norms' to its Requires");
        var published = monitor.Run.InstrumentFailures.First(f => f.Instrument == "undeclared-publish");
        StringAssert.Contains(published.Message, "published the quantity 'doubled-weight-norm', which it does not declare");
    }

    /// <summary>Publishes, then fails in the same stage: the value must be withdrawn with the stage's other results.</summary>
    private sealed class PublishThenFail() : Instrument("publish-then-fail", CostTier.Economy, Schedule.Every(1))
    {
        public override IReadOnlyCollection<Quantity> Publishes { get; } = [Doubled];

        public override void Compute(InstrumentContext context)
        {
            context.Publish(Doubled, 42.0);
            throw new InvalidOperationException("planted failure after publishing");
        }
    }

    [TestMethod]
    public void AQuantityPublishedByAStageThatFailsIsWithdrawn()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 3)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            InstrumentFailureLimit = 10,
            Instruments = [new Consumer(), new PublishThenFail()],
        });
        Train(monitor, optim.SGD(model.parameters(), 0.01), 2, s => Regression(s), Mse);
        Assert.AreEqual(2, monitor.Run.InstrumentFailures.Count);
        CollectionAssert.AreEqual(new[] { -1.0, -1.0 }, monitor.Run.Metrics.Where(m => m.Name == "consumer/doubled").Select(m => m.Value).ToArray());
    }

    /// <summary>The example of docs/monitor.md and <see cref="Instrument"/>'s documentation, as written there.</summary>
    private sealed class MatrixUpdateRatio() : Instrument("matrix-update-ratio", CostTier.Economy, Schedule.Every(1))
    {
        public override IReadOnlyCollection<Quantity> Requires { get; } = [Quantities.UpdateRatios];
        public override void Compute(InstrumentContext context)
        {
            if (!context.TryGet(Quantities.UpdateRatios, out var ratios))
                return; // not measured at this step
            for (int i = 0; i < ratios.Count; i++)
                if (context.Parameters[i].dim() == 2 && ratios[i] is { } r)
                    context.RecordMetric($"matrix_update_ratio/{context.ParameterNames[i]}", r);
        }
    }

    [TestMethod]
    public void AUsersInstrumentReadsTheBuiltInUpdateRatiosOfTheWeightMatrices()
    {
        manual_seed(2);
        var fc1 = nn.Linear(4, 8);
        var model = nn.Sequential(("fc1", fc1), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            UpdateRatioSchedule = Schedule.Every(2),
            Instruments = [new MatrixUpdateRatio()],
        });
        Tensor? before = null, after = null;
        Train(monitor, optim.SGD(model.parameters(), 0.1), 6, s => Regression(s), Mse, beforeStep: s =>
        {
            if (s is 0 or 1)
            {
                var copy = fc1.weight!.detach().clone().DetachFromDisposeScope();
                (before, after) = s == 0 ? (copy, after) : (before, copy);
            }
        });
        double expected;
        using (NewDisposeScope())
            expected = (linalg.vector_norm(before! - after!) / linalg.vector_norm(before!)).item<float>();
        before!.Dispose();
        after!.Dispose();
        var metrics = monitor.Run.Metrics.Where(m => m.Name.StartsWith("matrix_update_ratio/", StringComparison.Ordinal)).ToList();
        CollectionAssert.AreEquivalent(new[] { "fc1.weight", "fc2.weight" }, metrics.Where(m => m.Step == 1).Select(m => m.Name["matrix_update_ratio/".Length..]).ToArray(),
            "the weight matrices, not the biases");
        CollectionAssert.AreEqual(new long[] { 1, 3, 5 }, metrics.Select(m => m.Step).Distinct().ToArray(), "the steps after the schedule fired");
        Assert.AreEqual(expected, metrics.Single(m => m.Step == 1 && m.Name == "matrix_update_ratio/fc1.weight").Value, 1e-4 * expected,
            "‖w0 - w1‖ / ‖w0‖ of step 0's update");
    }

    /// <summary>An instrument created without a schedule.</summary>
    private sealed class TierOnly(CostTier tier) : Instrument("tier-only", tier)
    {
        public override void Compute(InstrumentContext context)
        {
        }
    }

    [TestMethod]
    public void AnInstrumentCreatedWithoutAScheduleRunsOnItsTiersDefault()
    {
        long[] steps = [0, 1, 10, 25, 50, 100];
        bool[] Due(CostTier tier) => [.. steps.Select(new TierOnly(tier).Schedule.IsDue)];
        CollectionAssert.AreEqual(new[] { true, false, true, false, true, true }, Due(CostTier.Economy), "every 10 steps");
        CollectionAssert.AreEqual(new[] { true, false, false, false, true, true }, Due(CostTier.Business), "every 50 steps");
        CollectionAssert.AreEqual(new[] { true, true, true, true, true, true }, Due(CostTier.Full), "every step");
        Assert.AreEqual(CostTier.Business, new TierOnly(CostTier.Business).Tier);
    }
}
