using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// <see cref="AnomalyPolicy.Heal"/>: a run that diverges under Record ends healthy under Heal, by a learning-rate factor
/// measured from the run, with the action and its outcome in the run log.
/// </summary>
[TestClass]
public sealed class HealPolicyTests
{
    public TestContext TestContext { get; set; } = null!;

    private const int Steps = 120;

    /// <summary>Least squares on 8 features + bias at SGD lr 1.0: the Hessian's top eigenvalue is about 3.3, so lr·λ > 2 diverges.</summary>
    private static (List<StepResult> Results, TrainingMonitor Monitor, float FinalLoss) Train(AnomalyPolicy policy, string? logPath = null, int maxActions = 3)
    {
        manual_seed(21);
        var model = nn.Sequential(("fc", nn.Linear(8, 1)));
        var optimizer = optim.SGD(model.parameters(), 1.0);
        var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            Policy = policy,
            Optimizer = optimizer,
            PublishMetrics = false,
            RunLogPath = logPath,
            MaxHealActions = maxActions,
        });
        var generator = new Generator(77);
        var truth = randn(8, 1, generator: generator);
        var batches = Enumerable.Range(0, 8).Select(_ =>
        {
            var x = randn(32, 8, generator: generator);
            return (X: x, Y: x.matmul(truth) + 0.1 * randn(32, 1, generator: generator));
        }).ToArray();
        var results = MonitorHarness.Train(monitor, optimizer, Steps, s => batches[s % batches.Length], MonitorHarness.Mse);
        using var noGrad = no_grad();
        float final = batches.Select(b => MonitorHarness.Mse(model.call(b.X), b.Y).item<float>()).Average();
        return (results, monitor, final);
    }

    [TestMethod]
    public void ARunThatDivergesUnderRecordEndsHealthyUnderHealWithTheActionAndItsOutcomeInTheLog()
    {
        var (recordResults, recordMonitor, recordFinal) = Train(AnomalyPolicy.Record);
        recordMonitor.Dispose();
        float start = (float)recordResults[0].Loss;
        TestContext.WriteLine($"Record: loss {start:G3} -> {recordFinal:G3}");
        Assert.IsTrue(!float.IsFinite(recordFinal) || recordFinal > 1e3 * start, $"under Record the run must diverge (final loss {recordFinal})");

        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl");
        var (results, monitor, final) = Train(AnomalyPolicy.Heal, path);
        HealRecord[] heals;
        using (monitor)
            heals = monitor.Run.Heals.ToArray();
        foreach (var h in heals)
            TestContext.WriteLine($"{h.Step}: {h.Action} {h.From} -> {h.To} (x{h.Factor}) healed={h.Healed} {h.Outcome} {h.Reason}");
        TestContext.WriteLine($"Heal: loss {results[0].Loss:G3} -> {final:G3}");

        var actions = heals.Where(h => h.AppliedAt is null).ToList();
        Assert.IsTrue(actions.Count is >= 1 and <= 3, $"{actions.Count} actions");
        Assert.IsTrue(actions.All(a => a.Action == RemedyActions.ScaleLearningRate && a.Factor is > 0 and <= 0.5 && a.To < a.From));
        Assert.AreEqual(1.0, actions[0].From!.Value, 1e-12, "the first action starts from the configured lr");
        var last = actions[^1];
        var outcome = heals.SingleOrDefault(h => h.AppliedAt == last.Step);
        Assert.IsNotNull(outcome, "the last action's outcome is judged");
        Assert.IsTrue(outcome.Healed, outcome.Outcome);
        StringAssert.Contains(outcome.Outcome, "below its pre-spike level");

        Assert.IsTrue(float.IsFinite(final) && final < start / 10, $"healed run ends at {final} (started at {start})");
        Assert.IsFalse(results.Skip(last.Step is long s ? (int)s + 5 : 0).Any(r => r.Anomalies.Any(AnomalyKinds.IsActionable)),
            "no anomaly after the last heal");

        var read = RunLogReader.Read(path);
        CollectionAssert.AreEqual(heals, read.Heals.ToArray(), "actions and outcomes are in the run log");
        Assert.AreEqual(read.Steps[^1].LearningRate!.Value, last.To!.Value, 1e-9, "the log's learning rate follows the action");
    }

    [TestMethod]
    public void HealNeverActsMoreThanMaxHealActionsTimes()
    {
        var (_, monitor, _) = Train(AnomalyPolicy.Heal, maxActions: 1);
        using (monitor)
            Assert.AreEqual(1, monitor.Run.Heals.Count(h => h.AppliedAt is null));
    }

    [TestMethod]
    public void WithoutAnOptimizerHealRollsBackAndRecordsNoAction()
    {
        manual_seed(3);
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Heal, PublishMetrics = false });
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var results = MonitorHarness.Train(monitor, optimizer, 6, s =>
        {
            var (x, y) = MonitorHarness.Regression(s);
            if (s == 3)
                x[0, 0] = float.NaN;
            return (x, y);
        }, MonitorHarness.Mse);
        Assert.IsFalse(results[3].ShouldStep);
        Assert.AreEqual(0, monitor.Run.Heals.Count);
    }

    [TestMethod]
    public void AHealthyRunUnderHealIsNeverTouched()
    {
        manual_seed(4);
        var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { Policy = AnomalyPolicy.Heal, Optimizer = optimizer, PublishMetrics = false });
        MonitorHarness.Train(monitor, optimizer, 200, s => MonitorHarness.Regression(s % 16), MonitorHarness.Mse);
        Assert.AreEqual(0, monitor.Run.Heals.Count);
        Assert.AreEqual(0.01, optimizer.ParamGroups.First().LearningRate, 1e-15);
    }
}
