using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// <see cref="AnomalyPolicy.Rollback"/> returns to the state at the start of the most recent healthy step on
/// <see cref="MonitorOptions.RollbackSchedule"/>, and heals a run that a learning-rate spike would otherwise kill.
/// </summary>
[TestClass]
public sealed class RollbackTests
{
    [TestMethod]
    public void ByDefaultARollbackReturnsToTheStartOfTheMostRecentHealthyStepOnItsScheduleOfEveryTenSteps()
    {
        manual_seed(11);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Rollback, Optimizer = optimizer, PublishMetrics = false });
        var fc2Weight = model.parameters().ToArray()[2];
        double[]? atStep10 = null;
        byte[]? optimizerAtStep10 = null;
        var results = Train(monitor, optimizer, 14, s => Regression(s), Mse, beforeStep: s =>
        {
            if (s == 10)
            {
                atStep10 = TensorAssert.Values(fc2Weight);
                optimizerAtStep10 = Serialized(optimizer);
            }
            if (s == 13)
                using (no_grad()) fc2Weight[0, 0] = float.PositiveInfinity;
        });
        Assert.IsTrue(results.Take(13).All(r => r.IsHealthy));
        Assert.AreEqual(AnomalyKind.NonFiniteParameter, results[13].Anomalies[0].Kind);
        Assert.AreEqual("Rollback", results[13].Anomalies[0].Action);
        CollectionAssert.AreEqual(atStep10, TensorAssert.Values(fc2Weight), "the weights at the start of step 10, the last scheduled healthy step");
        CollectionAssert.AreEqual(optimizerAtStep10, Serialized(optimizer), "Adam's moments, step counts and options as at the start of step 10 (TorchSharp's own serialization as the oracle)");
    }

    private static byte[] Serialized(optim.Optimizer optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
        return stream.ToArray();
    }

    [TestMethod]
    public void ARollbackHealsALearningRateSpikeThatKillsTheUnmonitoredRun()
    {
        const int Steps = 120, Spike = 60;
        double Run(bool monitored, out List<StepResult> results)
        {
            manual_seed(5);
            var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(16, 1)));
            var optimizer = optim.SGD(model.parameters(), 0.05);
            using var monitor = new TrainingMonitor(model, new MonitorOptions
            {
                Policy = monitored ? AnomalyPolicy.Rollback : AnomalyPolicy.Record,
                Optimizer = optimizer,
                PublishMetrics = false,
                Localize = monitored,
            });
            results = Train(monitor, optimizer, Steps, s => Regression(s % 8), Mse, beforeStep: s =>
            {
                // A learning-rate schedule bug: one step at 10,000 times the rate.
                optimizer.ParamGroups.First().LearningRate = s == Spike ? 500 : 0.05;
            });
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var losses = Enumerable.Range(0, 8).Select(b => Mse(model.call(Regression(b).X), Regression(b).Y).item<float>()).ToArray();
            return losses.Average();
        }

        double healed = Run(monitored: true, out var withRollback);
        double dead = Run(monitored: false, out var without);
        double beforeSpike = withRollback.Skip(Spike - 8).Take(8).Average(r => r.Loss);
        Assert.IsTrue(!double.IsFinite(dead) || dead > 100 * beforeSpike, $"without a rollback the spike ruins the run (final loss {dead:G3}, {beforeSpike:G3} before the spike)");
        Assert.IsTrue(withRollback.Skip(Spike).Any(r => r.Anomalies.Any(a => a.Action == "Rollback")), "the rollback acted");
        Assert.IsTrue(double.IsFinite(healed) && healed < beforeSpike, $"with a rollback training continues below its pre-spike loss: {healed:G3} vs {beforeSpike:G3}");
        Assert.IsTrue(withRollback.TakeLast(20).All(r => r.IsHealthy && r.ShouldStep), "and ends healthy");
    }
}
