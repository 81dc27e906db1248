using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>Diagnostics never disturb training: state after a replay equals state without one, bit for bit; no leaks.</summary>
[TestClass]
public sealed class MonitorHygieneTests
{
    public TestContext TestContext { get; set; } = null!;

    private static nn.Module<Tensor, Tensor> Net()
    {
        return nn.Sequential(
            ("fc1", nn.Linear(4, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()),
            ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(16, 1)));
    }

    private static (Tensor X, Tensor Y) Data(int s, Device? device = null)
    {
        var (x, y) = Regression(s);
        if (device is not null)
            (x, y) = (x.to(device), y.to(device));
        if (s == 3 || s == 6)
            x[2, 2] = float.NaN; // triggers a replay (data fault) under SkipStep
        return (x, y);
    }

    private static (double[][] Parameters, double[][] Buffers, double[] Rng, double[][] Grads) Run(bool localize, Device? device = null)
    {
        manual_seed(5);
        if (device is not null)
            cuda.manual_seed_all(5);
        var model = Net();
        if (device is not null)
            model.to(device);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Localize = localize, PublishMetrics = false });
        var results = Train(monitor, optimizer, 9, s => Data(s, device), Mse);
        Assert.AreEqual(2, results.Count(r => !r.ShouldStep));
        if (localize)
            Assert.AreEqual("input", results[3].Anomalies[0].ModulePath, "the replay ran and localized");
        using var rng = get_rng_state();
        return (
            model.parameters().Select(p => TensorAssert.Values(p.cpu())).ToArray(),
            model.buffers().Select(b => TensorAssert.Values(b.cpu())).ToArray(),
            TensorAssert.Values(rng),
            model.parameters().Select(p => TensorAssert.Values(p.grad!.cpu())).ToArray());
    }

    [TestMethod]
    public void AReplayLeavesModelBuffersGradientsAndRandomStateBitIdentical()
    {
        var withReplay = Run(localize: true);
        var without = Run(localize: false);
        for (int i = 0; i < withReplay.Parameters.Length; i++)
            CollectionAssert.AreEqual(without.Parameters[i], withReplay.Parameters[i], $"parameter {i}");
        for (int i = 0; i < withReplay.Buffers.Length; i++)
            CollectionAssert.AreEqual(without.Buffers[i], withReplay.Buffers[i], $"buffer {i}");
        for (int i = 0; i < withReplay.Grads.Length; i++)
            CollectionAssert.AreEqual(without.Grads[i], withReplay.Grads[i], $"grad {i}");
        CollectionAssert.AreEqual(without.Rng, withReplay.Rng, "random state");
    }

    [TestMethod]
    public void NoTensorLeaksOverAThousandSteps()
    {
        manual_seed(9);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var data = Enumerable.Range(0, 4).Select(s => Regression(s)).ToArray();
        var poisoned = (data[0].X.clone(), data[0].Y);
        poisoned.Item1[0, 0] = float.NaN;
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            UpdateRatioSchedule = Schedule.Every(3),
            ActivationStatisticsSchedule = Schedule.Every(7),
            MaxStepsInMemory = 100,
        });
        // Warm up lazily created state (optimizer buffers, gradients) before counting.
        Train(monitor, optimizer, 5, s => data[s % 4], Mse);
        var guard = new TensorLeakGuard();
        for (int step = 5; step < 1005; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = step % 250 == 0 ? poisoned : data[step % 4];
            var result = monitor.Step(step, () => Mse(model.call(x), y));
            if (result.ShouldStep)
                optimizer.step();
        }
        Assert.IsTrue(guard.NewLive <= 0, $"{guard.NewLive} tensors leaked over 1,000 steps (with 4 replays)");
        TestContext.WriteLine(string.Join("; ", monitor.Run.Anomalies.Take(10).Select(a => $"{a.Step}:{a.Kind}@{a.ModulePath}: {a.Message}")));
        Assert.AreEqual(4, monitor.Run.Anomalies.Count);
        Assert.IsTrue(monitor.Run.Steps.Count <= 100 + 4, "the in-memory history is bounded");
    }

    [TestMethod]
    public void TheMonitorRemovesItsHooksOnDispose()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)));
        var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        model.call(ones(2, 4));
        Assert.AreEqual(1, monitor.BatchNormHookInvocations, "while monitoring, the BatchNorm hook sees every forward pass");
        monitor.Dispose();
        model.call(ones(1, 4));
        model.call(ones(2, 4));
        Assert.AreEqual(1, monitor.BatchNormHookInvocations, "after Dispose no hook observes a forward pass");
        Assert.ThrowsExactly<ObjectDisposedException>(() => monitor.Step(0, () => ones(1, requires_grad: true).sum()));
    }

    [TestMethod]
    public void AReplayAddsNothingToTheNextStepsFindings()
    {
        manual_seed(8);
        var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("out", nn.Linear(8, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, ActivationStatisticsSchedule = Schedule.At(1) });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s =>
        {
            var (x, y) = Regression(s);
            if (s != 1)
                return (x, y);
            // Step 1: a batch of one row holding a NaN, with the variance check due: the replay runs the BatchNorm hooks again.
            var one = x[..1].clone();
            one[0, 1] = float.NaN;
            return (one, y[..1]);
        }, Mse);
        Assert.IsTrue(results[0].IsHealthy);
        CollectionAssert.AreEquivalent(new[] { AnomalyKind.BatchNormDegenerate, AnomalyKind.NonFiniteInput }, results[1].Anomalies.Select(a => a.Kind).ToArray(),
            string.Join("; ", results[1].Anomalies.Select(a => $"{a.Kind}@{a.ModulePath}")));
        Assert.IsTrue(results[2].IsHealthy, "nothing the replay saw leaks into step 2: " + string.Join("; ", results[2].Anomalies.Select(a => $"{a.Kind}@{a.ModulePath}: {a.Message}")));
    }

    [TestMethod]
    public void OnCudaAReplayLeavesModelBuffersGradientsAndRandomStateBitIdentical()
    {
        if (!cuda.is_available())
            Assert.Inconclusive("No CUDA device (and no CUDA libtorch): the CUDA variant of the bit-identity test runs where a GPU is present.");
        var withReplay = Run(localize: true, CUDA);
        var without = Run(localize: false, CUDA);
        for (int i = 0; i < withReplay.Parameters.Length; i++)
            CollectionAssert.AreEqual(without.Parameters[i], withReplay.Parameters[i], $"parameter {i}");
        for (int i = 0; i < withReplay.Buffers.Length; i++)
            CollectionAssert.AreEqual(without.Buffers[i], withReplay.Buffers[i], $"buffer {i}");
        for (int i = 0; i < withReplay.Grads.Length; i++)
            CollectionAssert.AreEqual(without.Grads[i], withReplay.Grads[i], $"grad {i}");
        CollectionAssert.AreEqual(without.Rng, withReplay.Rng, "CPU random state");
    }

    [TestMethod]
    public void ANonScalarLossIsRejectedWithItsShape()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => monitor.Step(0, () => model.call(ones(3, 4))));
        StringAssert.Contains(e.Message, "[3, 2]");
    }
}
