using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// The detector must stay silent on healthy real training: digits and wine (standardized), three seeds, SGD and Adam,
/// 2,000 steps each, with the defaults users get (SkipStep, economy tier), shuffled minibatches over many epochs.
/// </summary>
[TestClass]
public sealed class FalseAlarmTests
{
    private const int Steps = 2_000;

    public static IEnumerable<object[]> Runs =>
        from dataset in new[] { "digits", "wine" }
        from optimizer in new[] { "SGD", "Adam" }
        from seed in new[] { 1, 2, 3 }
        select new object[] { dataset, optimizer, seed };

    [TestMethod]
    [DynamicData(nameof(Runs))]
    public void HealthyTrainingRaisesNoAlarmOverTwoThousandSteps(string dataset, string optimizerName, int seed)
    {
        var (x, y) = dataset == "digits" ? MonitorRecordingTests.Digits() : StandardizedWine();
        int features = (int)x.shape[1], classes = dataset == "digits" ? 10 : 3, batch = dataset == "digits" ? 64 : 16;
        manual_seed(seed);
        var model = nn.Sequential(("fc1", nn.Linear(features, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, classes)));
        optim.Optimizer optimizer = optimizerName == "SGD" ? optim.SGD(model.parameters(), 0.05, momentum: 0.9) : optim.Adam(model.parameters(), 1e-3);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Optimizer = optimizer });
        long rows = x.shape[0], batches = rows / batch;
        var generator = new Generator((ulong)seed);
        Tensor order = randperm(rows, generator: generator);
        var results = Train(monitor, optimizer, Steps, s =>
        {
            if (s % batches == 0 && s > 0)
            {
                order.Dispose();
                order = randperm(rows, generator: generator).DetachFromDisposeScope();
            }
            var index = order.narrow(0, s % batches * batch, batch);
            return (x.index_select(0, index), y.index_select(0, index));
        }, CrossEntropy);

        var alarms = results.SelectMany(r => r.Anomalies).ToList();
        Assert.AreEqual(0, alarms.Count, $"{dataset}/{optimizerName}/seed {seed}: " + string.Join("; ", alarms.Take(5).Select(a => $"{a.Step}:{a.Kind}@{a.ModulePath}: {a.Message}")));
        Assert.AreEqual(Steps, results.Count);
        double first = results.Take(20).Average(r => r.Loss), last = results.TakeLast(20).Average(r => r.Loss);
        Assert.IsTrue(last < first / 3, $"it trains: mean loss {first:G3} over the first 20 steps, {last:G3} over the last 20");
    }

    private static (Tensor X, Tensor Y) StandardizedWine()
    {
        var (features, labels) = Wine.Load();
        var standardized = (features - features.mean([0], keepdim: true)) / features.std([0], keepdim: true);
        return (standardized, labels);
    }
}
