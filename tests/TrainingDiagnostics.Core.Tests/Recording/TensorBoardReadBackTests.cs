using System.Text;
using Tensorboard;
using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.Recording;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Recording;

/// <summary>
/// The TensorBoard event files read back: TFRecord framing and every masked CRC32C checked by an independent bitwise
/// CRC (TestSupport), events parsed with TorchSharp's generated <see cref="Event"/> classes, and every value compared with
/// the run log of the same run (read with <see cref="RunLogReader"/>), by tag and step, both ways (nothing missing, nothing
/// extra). The expected tags are spelled here from the documented naming, not taken from the exporter.
/// </summary>
[TestClass]
public sealed class TensorBoardReadBackTests
{
    private static string s_folder = null!;
    private static DiagnosticsRun s_run = null!;
    private static string s_live = null!;
    private static Dictionary<string, long> s_numel = null!;

    /// <summary>One monitored run, with every quantity the exporter writes: weight norms, update ratios, histograms, a metric, curvature, a NaN incident.</summary>
    [ClassInitialize]
    public static void TrainOnce(TestContext context)
    {
        s_folder = Path.Combine(Path.GetTempPath(), "tdiag-tests", "tb-" + Guid.NewGuid().ToString("N"));
        s_live = Path.Combine(s_folder, "live");
        string log = Path.Combine(s_folder, "run.jsonl");
        manual_seed(7);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 1)));
        s_numel = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        var optimizer = optim.SGD(model.parameters(), 0.05);
        using (var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            RunLogPath = log,
            RunName = "tb read back",
            TensorBoardDirectory = s_live,
            Optimizer = optimizer,
            PublishMetrics = false,
            WeightNormSchedule = Schedule.Every(2),
            HistogramSchedule = Schedule.Every(2),
            UpdateRatioSchedule = Schedule.Every(3),
            CurvatureSchedule = Schedule.Every(5),
            Policy = AnomalyPolicy.SkipStep,
        }))
        {
            Train(monitor, optimizer, 12, s =>
            {
                var (x, y) = Regression(s);
                if (s == 7)
                    x[0, 0] = float.NaN;
                return (x, y);
            }, Mse, beforeStep: s =>
            {
                if (s % 4 == 3)
                    monitor.RecordMetric(s, "validation/loss", 1.0 / (s + 1));
            });
        }

        s_run = RunLogReader.Read(log);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(s_folder))
            Directory.Delete(s_folder, recursive: true);
    }

    [TestMethod]
    public void TheBitwiseCrc32CGivesTheStandardCheckValueAndTheWriterAgrees()
    {
        Assert.AreEqual(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")), "CRC-32C check value");
        var random = new Random(3);
        foreach (int length in new[] { 0, 1, 7, 8, 9, 63, 1025 })
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.AreEqual(Crc32C.Masked(data), TensorBoardEventWriter.MaskedCrc32C(data), $"length {length}");
        }
    }

    [TestMethod]
    public void EveryLiveScalarEqualsTheRunLogAndNoneIsMissing()
    {
        var events = TensorBoardEvents.ReadDirectory(s_live);
        AssertSameScalars(ExpectedScalars(s_run), events);
        Assert.IsTrue(s_run.Steps.Any(s => s.Layers.Any(l => l.WeightNorm is not null)) && s_run.Steps.Any(s => s.Layers.Any(l => l.UpdateRatio is not null)),
            "the run measured weight norms and update ratios");
        Assert.IsTrue(s_run.Curvature.Count > 0 && s_run.Metrics.Count > 0, "the run has curvature and metrics");
    }

    [TestMethod]
    public void EveryHistogramMatchesTheNormsOfTheSameStepInTheRunLog()
    {
        var events = TensorBoardEvents.ReadDirectory(s_live);
        Assert.IsTrue(events.Histograms.Count > 0, "histograms were written");
        var steps = s_run.Steps.ToDictionary(s => s.Step);
        int weights = 0, gradients = 0;
        foreach (var (tag, step, histogram) in events.Histograms)
        {
            string kind = tag[..tag.IndexOf('/')];
            string name = tag[(tag.IndexOf('/') + 1)..];
            LayerStatistics layer = steps[step].Layers.Single(l => l.Name == name);
            double norm = kind switch
            {
                "weights" => layer.WeightNorm ?? throw new AssertFailedException($"{tag} at step {step}: the log has no weight norm there"),
                "gradients" => layer.GradientNorm!.Value,
                _ => throw new AssertFailedException($"unexpected histogram tag {tag}"),
            };
            _ = kind == "weights" ? weights++ : gradients++;
            // The histogram's sum of squares is the squared L2 norm the monitor logged; its buckets count every element.
            Assert.AreEqual(norm * norm, histogram.SumSquares, norm * norm * 1e-5, $"{tag} at step {step}: sum of squares");
            Assert.AreEqual(s_numel[name], (long)histogram.Num, tag);
            Assert.AreEqual(histogram.Num, histogram.Bucket.Sum(), tag);
            Assert.IsTrue(histogram.Min <= histogram.Max && histogram.BucketLimit.Count == histogram.Bucket.Count, tag);
        }

        // Every finite step on the schedule (even steps) has a histogram of every parameter, weights and gradients.
        var finiteEven = s_run.Steps.Where(s => s.Step % 2 == 0 && double.IsFinite(s.Loss) && s.GradientNorm is { } g && double.IsFinite(g)).ToList();
        Assert.AreEqual(finiteEven.Count * s_numel.Count, weights);
        Assert.AreEqual(finiteEven.Count * s_numel.Count, gradients);
    }

    [TestMethod]
    public void EveryIncidentIsATextAtItsStep()
    {
        var events = TensorBoardEvents.ReadDirectory(s_live);
        Assert.IsTrue(s_run.Anomalies.Count > 0, "the planted NaN was found");
        CollectionAssert.AreEquivalent(
            s_run.Anomalies.Select(a => (a.Step, a.Kind.ToString())).ToList(),
            events.Texts.Where(t => t.Tag == "anomalies/text_summary").Select(t => (t.Step, t.Text[..t.Text.IndexOf(' ')])).ToList());
    }

    [TestMethod]
    public void TheConvertedLogHasTheSameScalarsAsTheLiveFileAndTheLog()
    {
        string folder = Path.Combine(s_folder, "converted-" + Guid.NewGuid().ToString("N"));
        TensorBoardExportResult result = TensorBoardExport.FromRunLog(Path.Combine(s_folder, "run.jsonl"), folder);
        var events = TensorBoardEvents.ReadDirectory(folder);
        AssertSameScalars(ExpectedScalars(s_run), events);
        Assert.AreEqual(s_run.Steps.Count, result.StepCount);
        Assert.AreEqual(events.Scalars.Count, result.ScalarCount);
        Assert.AreEqual(s_run.Anomalies.Count, events.Texts.Count(t => t.Tag == "anomalies/text_summary"));
        Assert.AreEqual(0, events.Histograms.Count, "a log holds no tensors");
        // Wall times: the run's start plus the steps' durations, never decreasing.
        double start = s_run.Metadata.StartedAt!.Value.ToUnixTimeMilliseconds() / 1000.0;
        var stepEvents = events.Events.Where(e => e.Summary?.Value.Any(v => v.Tag == "loss") == true).ToList();
        Assert.IsTrue(stepEvents[0].WallTime >= start && stepEvents.Zip(stepEvents.Skip(1)).All(p => p.Second.WallTime >= p.First.WallTime));
        double elapsed = s_run.Steps.Sum(s => s.ElapsedMilliseconds ?? 0) / 1000.0;
        Assert.AreEqual(start + elapsed, stepEvents[^1].WallTime, 1e-6);

        // Converting again replaces the file (the same name), so TensorBoard does not show the run twice.
        TensorBoardExport.FromRunLog(Path.Combine(s_folder, "run.jsonl"), folder);
        Assert.AreEqual(1, Directory.GetFiles(folder).Length);
    }

    [TestMethod]
    public void TorchSharpsSummaryWriterGivesTheSameTagsStepsAndValues()
    {
        // The run log's values written by TorchSharp's own writer, with the documented tags: its file and ours read alike.
        string folder = Path.Combine(s_folder, "summarywriter-" + Guid.NewGuid().ToString("N"));
        var writer = utils.tensorboard.SummaryWriter(folder);
        foreach (var (tag, step, value) in ExpectedScalars(s_run))
            writer.add_scalar(tag, value, checked((int)step));
        var theirs = TensorBoardEvents.ReadDirectory(folder);
        var ours = TensorBoardEvents.ReadDirectory(s_live);
        CollectionAssert.AreEquivalent(
            theirs.Scalars.Select(s => (s.Tag, s.Step, s.Value)).ToList(),
            ours.Scalars.Select(s => (s.Tag, s.Step, s.Value)).ToList());
    }

    [TestMethod]
    public void OurHistogramEqualsSummaryWritersHistogramOfTheSameTensor()
    {
        string ourFolder = Path.Combine(s_folder, "hist-ours-" + Guid.NewGuid().ToString("N"));
        string theirFolder = Path.Combine(s_folder, "hist-theirs-" + Guid.NewGuid().ToString("N"));
        using var scope = NewDisposeScope();
        manual_seed(11);
        var model = nn.Sequential(("fc", nn.Linear(16, 4)));
        ((nn.Module<Tensor, Tensor>)model).call(randn(8, 16)).pow(2).sum().backward();
        using (var exporter = new TensorBoardExporter(ourFolder))
            exporter.WriteHistograms(new ModuleTree(model), 5);
        var writer = utils.tensorboard.SummaryWriter(theirFolder);
        foreach (var (name, parameter) in model.named_parameters())
        {
            writer.add_histogram($"weights/{name}", parameter.detach(), 5);
            writer.add_histogram($"gradients/{name}", parameter.grad!.detach(), 5);
        }

        var ours = TensorBoardEvents.ReadDirectory(ourFolder).Histograms.ToDictionary(h => (h.Tag, h.Step), h => h.Histogram);
        var theirs = TensorBoardEvents.ReadDirectory(theirFolder).Histograms.ToDictionary(h => (h.Tag, h.Step), h => h.Histogram);
        CollectionAssert.AreEquivalent(theirs.Keys.ToList(), ours.Keys.ToList());
        foreach (var key in theirs.Keys)
            Assert.AreEqual(theirs[key], ours[key], $"{key}: the same buckets, counts and moments");
    }

    [TestMethod]
    public void ADamagedRecordIsCaughtByTheCrc()
    {
        string file = Directory.GetFiles(s_live, "events.out.tfevents.*").Single();
        byte[] bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x10;
        string damaged = Path.Combine(s_folder, "damaged-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(damaged, bytes);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => TfRecordFile.Read(damaged));
        StringAssert.Contains(error.Message, "CRC");
    }

    /// <summary>The scalars the documentation promises for a run log, spelled independently of the exporter.</summary>
    private static List<(string Tag, long Step, float Value)> ExpectedScalars(DiagnosticsRun run)
    {
        var expected = new List<(string, long, float)>();
        foreach (StepRecord step in run.Steps)
        {
            expected.Add(("loss", step.Step, (float)step.Loss));
            if (step.LearningRate is { } rate)
                expected.Add(("learning_rate", step.Step, (float)rate));
            if (step.GradientNorm is { } total)
                expected.Add(("grad_norm/total", step.Step, (float)total));
            foreach (LayerStatistics layer in step.Layers)
            {
                if (layer.GradientNorm is { } g)
                    expected.Add(("grad_norm/" + layer.Name, step.Step, (float)g));
                if (layer.WeightNorm is { } w)
                    expected.Add(("weight_norm/" + layer.Name, step.Step, (float)w));
                if (layer.UpdateRatio is { } u)
                    expected.Add(("update_ratio/" + layer.Name, step.Step, (float)u));
            }
        }

        expected.AddRange(run.Metrics.Select(m => (m.Name, m.Step, (float)m.Value)));
        expected.AddRange(run.Curvature.Select(c => (c.Quantity == CurvatureQuantity.TopEigenvalue ? "curvature/top_eigenvalue" : "curvature/trace", c.Step, (float)c.Value)));
        return expected;
    }

    private static int Bits(float value) => float.IsNaN(value) ? int.MinValue : BitConverter.SingleToInt32Bits(value);

    private static void AssertSameScalars(List<(string Tag, long Step, float Value)> expected, TensorBoardEvents events)
    {
        var actual = events.Scalars.GroupBy(s => (s.Tag, s.Step)).ToDictionary(g => g.Key, g => g.Select(s => s.Value).ToList());
        var wanted = expected.GroupBy(s => (s.Tag, s.Step)).ToDictionary(g => g.Key, g => g.Select(s => s.Value).ToList());
        var missing = wanted.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(wanted.Keys).ToList();
        Assert.AreEqual(0, missing.Count, "missing from the event file: " + string.Join(", ", missing.Take(10)));
        Assert.AreEqual(0, extra.Count, "in the event file but not in the log: " + string.Join(", ", extra.Take(10)));
        foreach (var (key, values) in wanted)
        {
            // Exact float equality, any NaN equal to any NaN (the planted step's norms are NaN in both; the log's JSON keeps no NaN sign).
            CollectionAssert.AreEqual(values.Select(Bits).ToList(), actual[key].Select(Bits).ToList(), $"{key}");
        }

        Assert.IsTrue(events.Scalars.Count == expected.Count && events.Others.Count == 0);
    }
}
