using System.Diagnostics.Metrics;
using System.IO.Compression;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

[TestClass]
public sealed class MonitorRecordingTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tdiag-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [TestMethod]
    public void NormsMatchAnIndependentComputationAndUpdateRatiosMatchSgd()
    {
        manual_seed(21);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 1)));
        const double lr = 0.05;
        var optimizer = optim.SGD(model.parameters(), lr);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, UpdateRatioSchedule = Schedule.Every(1), WeightNormSchedule = Schedule.Every(1) });
        var first = Train(monitor, optimizer, 1, s => Regression(s), Mse)[0];
        // Step 1 without an optimizer step, so the model still holds the weights and gradients the monitor read.
        using var scope = NewDisposeScope();
        var (x, y) = Regression(1);
        var second = monitor.Step(1, () => Mse(model.call(x), y));

        // Plain SGD moves w by lr·g, so the ratio measured at step 1 is lr·‖g₀‖ / ‖w₀‖.
        var step0 = first.Record!;
        var step1 = second.Record!;
        for (int i = 0; i < step1.Layers.Count; i++)
        {
            double expected = lr * step0.Layers[i].GradientNorm!.Value / step0.Layers[i].WeightNorm!.Value;
            Assert.AreEqual(expected, step1.Layers[i].UpdateRatio!.Value, expected * 1e-5, step1.Layers[i].Name);
        }
        // Norms against sums of squares of the raw values, on the host.
        var parameters = model.named_parameters().ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            var values = TensorAssert.Values(parameters[i].parameter);
            double norm = Math.Sqrt(values.Sum(v => v * v));
            Assert.AreEqual(norm, step1.Layers[i].WeightNorm!.Value, norm * 1e-6, parameters[i].name);
            var grad = TensorAssert.Values(parameters[i].parameter.grad!);
            double gradNorm = Math.Sqrt(grad.Sum(v => v * v));
            Assert.AreEqual(gradNorm, step1.Layers[i].GradientNorm!.Value, gradNorm * 1e-6, parameters[i].name);
        }
        double total = Math.Sqrt(step1.Layers.Sum(l => l.GradientNorm!.Value * l.GradientNorm.Value));
        Assert.AreEqual(total, second.GradientNorm, total * 1e-12);
    }

    [TestMethod]
    public void GradientNormsOfSameShapeParametersNormedTogetherMatchAnIndependentComputation()
    {
        // Three 6x6 weights and three biases of 6: two groups normed by one stacked operation each; one bias is frozen (no
        // gradient), so the biases' group falls back to one operation per parameter and the frozen one has no norm.
        manual_seed(5);
        var model = nn.Sequential(("fc1", nn.Linear(6, 6)), ("tanh1", nn.Tanh()), ("fc2", nn.Linear(6, 6)), ("tanh2", nn.Tanh()), ("fc3", nn.Linear(6, 6)));
        var frozen = model.named_parameters().Single(p => p.name == "fc2.bias").parameter;
        frozen.requires_grad = false;
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        var x = randn(16, 6, generator: new Generator(3));
        var result = monitor.Step(0, () => model.call(x).pow(2).mean());

        var layers = result.Record!.Layers.ToDictionary(l => l.Name);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (parameter.grad is null)
            {
                Assert.AreEqual("fc2.bias", name);
                Assert.IsNull(layers[name].GradientNorm, "a frozen parameter has no gradient norm");
                continue;
            }
            var grad = TensorAssert.Values(parameter.grad);
            double expected = Math.Sqrt(grad.Sum(v => v * v));
            Assert.IsGreaterThan(0.0, expected, name);
            Assert.AreEqual(expected, layers[name].GradientNorm!.Value, expected * 1e-6, name);
        }
        Assert.AreEqual(5, layers.Values.Count(l => l.GradientNorm is not null));
    }

    [TestMethod]
    public void AFiniteGradientWhoseFloat32NormOverflowsInAStackedGroupIsNotReportedAsNonFinite()
    {
        var fc1 = nn.Linear(16, 1);
        var fc2 = nn.Linear(16, 1); // three of the same shapes: normed together
        var fc3 = nn.Linear(16, 1);
        var model = nn.Sequential(("fc1", fc1), ("fc2", fc2), ("fc3", fc3));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        var c = tensor(Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? 1e38f : -1e38f).ToArray()).reshape(1, 16);
        var result = monitor.Step(0, () => (fc1.weight! * c).sum() * 0 + (fc2.weight! * c).sum() + (fc3.weight! * c).sum() * 0
            + (fc1.bias! + fc2.bias! + fc3.bias!).sum() * 0);
        Assert.IsTrue(result.IsHealthy, string.Join("; ", result.Anomalies.Select(a => a.Message)));
        var weightGrad = result.Record!.Layers.Single(l => l.Name == "fc2.weight").GradientNorm!.Value;
        Assert.IsTrue(double.IsFinite(weightGrad) && weightGrad > 3.4e38, $"norm recomputed in float64: {weightGrad}");
        Assert.AreEqual(0.0, result.Record.Layers.Single(l => l.Name == "fc1.weight").GradientNorm!.Value, "its group mates' norms are their own");
        Assert.AreEqual(0.0, result.Record.Layers.Single(l => l.Name == "fc3.weight").GradientNorm!.Value, "its group mates' norms are their own");
    }

    [TestMethod]
    public void AFiniteGradientWhoseFloat32NormOverflowsIsNotReportedAsNonFinite()
    {
        var fc = nn.Linear(16, 1);
        using (no_grad())
            fc.weight!.fill_(0.01f);
        var model = nn.Sequential(("fc", fc));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        // loss = Σ w_i c_i with c = ±1e38: the loss is 0 and every gradient element (c_i) is finite, but ‖c‖ = 4e38 > float32's max.
        var c = tensor(Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? 1e38f : -1e38f).ToArray()).reshape(1, 16);
        var result = monitor.Step(0, () => (fc.weight! * c).sum() + fc.bias!.sum() * 0);
        Assert.IsTrue(result.IsHealthy, string.Join("; ", result.Anomalies.Select(a => a.Message)));
        var weightGrad = result.Record!.Layers.Single(l => l.Name == "fc.weight").GradientNorm!.Value;
        Assert.IsTrue(double.IsFinite(weightGrad) && weightGrad > 3.4e38, $"norm recomputed in float64: {weightGrad}");
    }

    [TestMethod]
    public void TheRunLogIsReadableAfterEveryStepAndHoldsTheIncidents()
    {
        var folder = TempFolder();
        var path = Path.Combine(folder, "run.jsonl");
        manual_seed(2);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using (var monitor = new TrainingMonitor(model, new MonitorOptions { RunLogPath = path, RunName = "recording", PublishMetrics = false }))
        {
            Train(monitor, optimizer, 5, s =>
            {
                var (x, y) = Regression(s);
                if (s == 3)
                    x[1, 1] = float.PositiveInfinity;
                return (x, y);
            }, Mse, beforeStep: s =>
            {
                // While training runs (the monitor is open), every finished step reaches the file: the log is written off
                // the training thread, each line within 20 ms (waited for here with a generous deadline, for a loaded machine).
                var clock = System.Diagnostics.Stopwatch.StartNew();
                int written;
                while ((written = RunLogReader.Read(path).Steps.Count) < s && clock.Elapsed < TimeSpan.FromSeconds(10))
                    Thread.Sleep(5);
                Assert.AreEqual(s, written, "every finished step is in the log while the run goes on");
            });
        }
        var run = RunLogReader.Read(path);
        Assert.AreEqual("recording", run.Metadata.RunName);
        Assert.AreEqual(5, run.Steps.Count);
        Assert.AreEqual(AnomalyKind.NonFiniteInput, run.Anomalies.Single().Kind);
        Assert.AreEqual(1, run.Anomalies[0].InfCount);
        Assert.IsTrue(run.Steps[3].Skipped);
        Assert.AreEqual(4, run.Steps[0].Layers.Count);
    }

    [TestMethod]
    public void MetricsLearningRateAndRankAreRecorded()
    {
        var folder = TempFolder();
        var path = Path.Combine(folder, "run.jsonl");
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.125);
        using (var monitor = new TrainingMonitor(model, new MonitorOptions { RunLogPath = path, Optimizer = optimizer, Rank = 2, WorldSize = 4, PublishMetrics = false }))
        {
            Train(monitor, optimizer, 2, s => Regression(s), Mse);
            monitor.RecordMetric(1, "validation/loss", 0.25);
            Assert.AreEqual(0.25, monitor.Run.Metrics.Single().Value);
        }
        var run = RunLogReader.Read(path);
        Assert.AreEqual("validation/loss", run.Metrics.Single().Name);
        Assert.AreEqual(0.125, run.Steps[0].LearningRate);
        Assert.AreEqual(2, run.Metadata.Rank);
        Assert.AreEqual(4, run.Metadata.WorldSize);
    }

    [TestMethod]
    public void TheMeterPublishesLossGradientNormAndAnomalies()
    {
        var measurements = new List<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrainingMonitor.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Add((i.Name, v)));
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.Add((i.Name, v)));
        listener.Start();

        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { RunName = "metered" });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 2, s =>
        {
            var (x, y) = Regression(s);
            if (s == 0)
                x[0, 0] = float.NaN;
            return (x, y);
        }, Mse);
        listener.RecordObservableInstruments();
        Assert.AreEqual(2, measurements.Count(m => m.Name == "training.steps"));
        Assert.AreEqual(1.0, measurements.Where(m => m.Name == "training.anomalies").Sum(m => m.Value));
        Assert.IsTrue(measurements.Any(m => m.Name == "training.loss"));
        Assert.IsTrue(measurements.Any(m => m.Name == "training.gradient_norm" && m.Value > 0));
    }

    [TestMethod]
    public void TensorBoardEventFilesAreWritten()
    {
        var folder = TempFolder();
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            TensorBoardDirectory = folder,
            HistogramSchedule = Schedule.Every(2),
            PublishMetrics = false,
        });
        Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s => Regression(s), Mse);
        var files = Directory.GetFiles(folder, "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.IsTrue(files.Length >= 1, "an event file");
        var bytes = File.ReadAllBytes(files[0]);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        StringAssert.Contains(text, "grad_norm/fc.weight");
        StringAssert.Contains(text, "weights/fc.weight", "a histogram");
    }

    [TestMethod]
    public void AHealthyDigitsRunRaisesNoAnomaly()
    {
        var (x, y) = Digits();
        manual_seed(42);
        var model = nn.Sequential(("fc1", nn.Linear(64, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 10)));
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, UpdateRatioSchedule = Schedule.Every(5) });
        int batches = (int)(x.shape[0] / 64);
        var results = Train(monitor, optimizer, batches * 4, s =>
        {
            var index = arange((s % batches) * 64, (s % batches) * 64 + 64);
            return (x.index_select(0, index), y.index_select(0, index));
        }, CrossEntropy);
        var anomalies = results.SelectMany(r => r.Anomalies).ToList();
        Assert.AreEqual(0, anomalies.Count, string.Join("; ", anomalies.Select(a => $"{a.Step}:{a.Kind}: {a.Message}")));
        Assert.IsTrue(results[^1].Loss < results[0].Loss / 5, $"it learns: {results[0].Loss} -> {results[^1].Loss}");
        Assert.IsTrue(results.Where((r, i) => i > 0 && i % 5 == 1).All(r => r.Record!.Layers.All(l => l.UpdateRatio is > 0 and < 1)));
    }

    internal static (Tensor X, Tensor Y) Digits()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var features = tensor(rows.SelectMany(r => r.Take(64).Select(v => v / 16f)).ToArray()).reshape(rows.Length, 64);
        var labels = tensor(rows.Select(r => (long)r[64]).ToArray());
        return (features, labels);
    }
}
