using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// A libtorch error in backward() that is not a non-finite value is a programming error: it reaches the user as a
/// <see cref="BackwardPassException"/> under every policy, never as an endless run of skipped steps. A NaN reported by the
/// caller's own anomaly mode stays an anomaly.
/// </summary>
[TestClass]
public sealed class BackwardErrorTests
{
    public static IEnumerable<object[]> Policies => Enum.GetValues<AnomalyPolicy>().Select(p => new object[] { p });

    [TestMethod]
    [DynamicData(nameof(Policies))]
    public void AnInPlaceChangeToASavedTensorIsRethrownNamingTheError(AnomalyPolicy policy)
    {
        manual_seed(2);
        var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("out", nn.Linear(4, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = policy, Optimizer = optimizer, PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = Regression(0);
        var e = Assert.ThrowsExactly<BackwardPassException>(() => monitor.Step(0, () =>
        {
            var activation = model.call(x).sigmoid(); // sigmoid saves its output for the backward pass
            activation.add_(1);                     // ... which this in-place update then changes
            return (activation - y).pow(2).mean();
        }));
        StringAssert.Contains(e.Message, "inplace operation", "libtorch's own words are quoted");
        StringAssert.Contains(e.Message, "in-place", "and explained");
        Assert.AreEqual(0, e.Step);
        Assert.IsInstanceOfType<System.Runtime.InteropServices.ExternalException>(e.InnerException);
        Assert.AreEqual(0, monitor.Run.Anomalies.Count, "a programming error is not recorded as an anomaly");
    }

    [TestMethod]
    [DynamicData(nameof(Policies))]
    public void ASecondBackwardThroughAFreedGraphIsRethrown(AnomalyPolicy policy)
    {
        manual_seed(2);
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = policy, PublishMetrics = false });
        using var scope = NewDisposeScope();
        var (x, y) = Regression(0);
        var loss = (model.call(x) - y).pow(2).mean(); // computed once, outside the closure: a classic mistake
        monitor.Step(0, () => loss);
        var e = Assert.ThrowsExactly<BackwardPassException>(() => monitor.Step(1, () => loss));
        StringAssert.Contains(e.LibTorchMessage, "backward through the graph a second time");
        Assert.AreEqual(1, e.Step);
    }

    [TestMethod]
    public void ANaNThatTheCallersAnomalyModeReportsIsStillAnAnomalyLocatedInItsModule()
    {
        manual_seed(7);
        var fc1 = nn.Linear(4, 8);
        using (no_grad()) fc1.bias!.zero_();
        var model = nn.Sequential(("fc1", fc1), ("gate", new GatedSqrt()), ("fc2", nn.Linear(8, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var anomalyMode = autograd.detect_anomaly(check_nan: true);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s =>
        {
            var (x, y) = Regression(s);
            x[4] = zeros(4); // this row reaches the gate as exact zeros: sqrt's backward is NaN there
            return (x, y);
        }, Mse);
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteGradient, a.Kind);
        Assert.AreEqual(AnomalyPhase.Backward, a.Phase);
        Assert.AreEqual("gate", a.ModulePath);
        StringAssert.Contains(a.Operation, "SqrtBackward0");
        Assert.IsFalse(results[0].ShouldStep, "handled by the policy like any NaN");
    }
}
