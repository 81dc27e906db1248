using Microsoft.Extensions.Logging;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

[TestClass]
public sealed class MonitorPolicyTests
{
    private static nn.Module<Tensor, Tensor> Mlp()
    {
        manual_seed(11);
        return nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
    }

    private static (Tensor X, Tensor Y) NaNAtStep(int s, int bad)
    {
        var (x, y) = Regression(s);
        if (s == bad)
            x[0, 0] = float.NaN;
        return (x, y);
    }

    [TestMethod]
    public void SkipStepZeroesTheGradientsAndAdvisesAgainstStepping()
    {
        var model = Mlp();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.1), 3, s => NaNAtStep(s, 1), Mse);
        Assert.IsTrue(results[0].ShouldStep);
        Assert.IsFalse(results[1].ShouldStep);
        Assert.IsTrue(results[1].Record!.Skipped);
        Assert.AreEqual("SkipStep", results[1].Anomalies[0].Action);
        Assert.IsTrue(results[2].ShouldStep, "training continues after the skipped batch");
        Assert.IsTrue(model.parameters().All(p => TensorStatisticsReaderIsFinite(p)), "the NaN batch never reached the weights");
    }

    [TestMethod]
    public void SkipStepLeavesZeroGradientsBehind()
    {
        var model = Mlp();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = NaNAtStep(0, 0);
        var result = monitor.Step(0, () => Mse(model.call(x), y));
        Assert.IsFalse(result.ShouldStep);
        foreach (var p in model.parameters())
            TensorAssert.IsZero(p.grad!, "grads zeroed");
    }

    [TestMethod]
    public void RecordLetsTheStepProceed()
    {
        var model = Mlp();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Record, PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = NaNAtStep(0, 0);
        var result = monitor.Step(0, () => Mse(model.call(x), y));
        Assert.IsTrue(result.ShouldStep);
        Assert.AreEqual(1, result.Anomalies.Count);
        Assert.AreEqual(1, monitor.Run.Anomalies.Count);
    }

    [TestMethod]
    public void ThrowCarriesTheEvent()
    {
        var model = Mlp();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Throw, PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = NaNAtStep(0, 0);
        var e = Assert.ThrowsExactly<TrainingAnomalyException>(() => monitor.Step(0, () => Mse(model.call(x), y)));
        Assert.AreEqual(AnomalyKind.NonFiniteInput, e.Anomaly.Kind);
        StringAssert.Contains(e.Message, "input");
        Assert.AreEqual(1, monitor.Run.Anomalies.Count, "recorded before throwing");
    }

    [TestMethod]
    public void WarnWritesToTheLogger()
    {
        var model = Mlp();
        var logger = new ListLogger();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Warn, Logger = logger, PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = NaNAtStep(0, 0);
        var result = monitor.Step(0, () => Mse(model.call(x), y));
        Assert.IsTrue(result.ShouldStep);
        // A NaN input is a critical incident: logged as an error (warnings are for incidents without non-finite values).
        Assert.AreEqual(1, logger.Entries.Count(e => e.Level == LogLevel.Error));
        StringAssert.Contains(logger.Entries[0].Message, "NonFiniteInput");
    }

    [TestMethod]
    public void RollbackWithAPerStepScheduleRestoresTheLastHealthyWeightsAndOptimizerState()
    {
        var model = Mlp();
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            Policy = AnomalyPolicy.Rollback,
            Optimizer = optimizer,
            PublishMetrics = false,
            RollbackSchedule = Schedule.Every(1),
        });
        var fc2Weight = model.parameters().ToArray()[2];
        double[]? healthyWeights = null;
        var results = Train(monitor, optimizer, 4, s => Regression(s), Mse, beforeStep: s =>
        {
            if (s == 2)
            {
                healthyWeights = TensorAssert.Values(fc2Weight); // as they are at the start of the healthy step 2
                return;
            }
            if (s == 3)
                using (no_grad()) fc2Weight[0, 0] = float.PositiveInfinity; // a corrupting update before step 3
        });
        Assert.IsTrue(results[2].IsHealthy);
        Assert.AreEqual(AnomalyKind.NonFiniteParameter, results[3].Anomalies[0].Kind);
        Assert.IsFalse(results[3].ShouldStep);
        CollectionAssert.AreEqual(healthyWeights, TensorAssert.Values(fc2Weight), "weights of the last healthy step");
    }

    private static bool TensorStatisticsReaderIsFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.isfinite().all().item<bool>();
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
