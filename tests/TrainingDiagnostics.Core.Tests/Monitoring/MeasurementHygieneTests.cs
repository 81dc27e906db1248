using TorchSharp;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>The activation and input measurements never disturb training: weights, gradients, buffers and the random state
/// after N steps are bit-identical to a run without them.</summary>
[TestClass]
public sealed class MeasurementHygieneTests
{
    private static (double[][] Parameters, double[][] Buffers, double[] Rng, double[][] Grads) Run(bool measure)
    {
        manual_seed(31);
        var model = nn.Sequential(
            ("fc1", nn.Linear(8, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.3)),
            ("fc2", nn.Linear(16, 16)), ("sig", nn.Sigmoid()), ("fc3", nn.Linear(16, 16)), ("tanh", nn.Tanh()), ("out", nn.Linear(16, 1)));
        var optimizer = optim.Adam(model.parameters(), 0.01);
        var options = measure
            ? new MonitorOptions { PublishMetrics = false, ActivationHealthSchedule = Schedule.Every(1), InputProfileBatches = 5 }
            : new MonitorOptions { PublishMetrics = false, ActivationHealthSchedule = Schedule.Never, InputProfileBatches = 0 };
        using var monitor = new TrainingMonitor(model, options);
        var results = Train(monitor, optimizer, 12, s =>
        {
            var (x, y) = Regression(s, rows: 32, features: 8);
            if (s == 4)
                x[0, 0] = float.NaN; // a skipped step with a replay, inside the profiled steps
            return (x, y);
        }, Mse);
        Assert.AreEqual(1, results.Count(r => !r.ShouldStep));
        Assert.AreEqual(measure ? 1 : 0, monitor.Run.DataProfiles.Count);
        Assert.AreEqual(measure ? 12 * 3 : 0, monitor.Run.Metrics.Count(m => m.Name.StartsWith("activation/", StringComparison.Ordinal)));
        using var rng = get_rng_state();
        return (
            model.parameters().Select(p => TensorAssert.Values(p)).ToArray(),
            model.buffers().Select(b => TensorAssert.Values(b)).ToArray(),
            TensorAssert.Values(rng),
            model.parameters().Select(p => TensorAssert.Values(p.grad!)).ToArray());
    }

    [TestMethod]
    public void TheMeasurementsLeaveWeightsGradientsBuffersAndRandomStateBitIdentical()
    {
        var measured = Run(measure: true);
        var plain = Run(measure: false);
        for (int i = 0; i < plain.Parameters.Length; i++)
            CollectionAssert.AreEqual(plain.Parameters[i], measured.Parameters[i], $"parameter {i}");
        for (int i = 0; i < plain.Grads.Length; i++)
            CollectionAssert.AreEqual(plain.Grads[i], measured.Grads[i], $"grad {i}");
        for (int i = 0; i < plain.Buffers.Length; i++)
            CollectionAssert.AreEqual(plain.Buffers[i], measured.Buffers[i], $"buffer {i}");
        CollectionAssert.AreEqual(plain.Rng, measured.Rng, "random state");
    }

    [TestMethod]
    public void NoTensorLeaksWhileTheInputIsProfiledAndTheActivationsMeasured()
    {
        manual_seed(32);
        var model = nn.Sequential(("fc1", nn.Linear(8, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, ActivationHealthSchedule = Schedule.Every(2), InputProfileBatches = 6 });
        Train(monitor, optimizer, 1, s => Regression(s, rows: 32, features: 8), Mse); // optimizer state and gradients exist from here on
        var guard = new TensorLeakGuard();
        Train(monitor, optimizer, 20, s =>
        {
            var (x, y) = Regression(s, rows: 32, features: 8);
            if (s == 2)
                x[0, 0] = float.NaN;
            return (x, y);
        }, Mse);
        Assert.IsLessThanOrEqualTo(0L, guard.NewLive, $"{guard.NewLive} tensors leaked");
        Assert.HasCount(1, monitor.Run.DataProfiles);
    }
}
