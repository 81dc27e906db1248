using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// The input-profile instrument: per-feature statistics of the first batches, merged, checked against the same statistics
/// computed directly from the rows those batches held; the <c>unnormalized-input</c> finding on real unscaled data, none on
/// standardized data or on [0, 1] pixels.
/// </summary>
[TestClass]
public sealed class InputProfileTests
{
    private const int Rows = 32;

    private static (Tensor X, Tensor Y) Slice(Tensor x, Tensor y, int step)
    {
        var index = arange(step * Rows % (x.shape[0] - Rows + 1), step * Rows % (x.shape[0] - Rows + 1) + Rows);
        return (x.index_select(0, index), y.index_select(0, index));
    }

    private static DiagnosticsRun Train(Tensor x, Tensor y, int classes, int steps, MonitorOptions? options = null)
    {
        manual_seed(21);
        var model = nn.Sequential(("fc1", nn.Linear(x.shape[1], 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, classes)));
        using var monitor = new TrainingMonitor(model, (options ?? new MonitorOptions()) with { PublishMetrics = false });
        MonitorHarness.Train(monitor, optim.SGD(model.parameters(), 0.0), steps, s => Slice(x, y, s), CrossEntropy);
        return monitor.Run;
    }

    /// <summary>The oracle: mean, population standard deviation, min and max of column j over the first rows, in doubles.</summary>
    private static (double Mean, double Std, double Min, double Max) Column(Tensor x, int rows, int j)
    {
        double[] values = TensorAssert.Values(x[..rows, j]);
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()), values.Min(), values.Max());
    }

    [TestMethod]
    public void UnscaledWineGivesTheUnnormalizedInputFindingWithEachFeaturesStatisticsOverTheFirstFiveBatches()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Wine.Load();
        string log = Path.Combine(Path.GetTempPath(), $"tdiag-input-{Guid.NewGuid():N}.jsonl");
        var run = Train(x, y, 3, 8, new MonitorOptions { RunLogPath = log });

        var profile = run.DataProfiles.Single();
        Assert.AreEqual(InstrumentMetricNames.InputProfile, profile.Name);
        Assert.AreEqual(5 * Rows, profile.RowCount, "the default profiles the first five batches");
        Assert.HasCount(13, profile.Columns);
        for (int j = 0; j < 13; j++)
        {
            var truth = Column(x, 5 * Rows, j);
            var column = profile.Columns[j];
            Assert.AreEqual($"input[:,{j}]", column.Name);
            Assert.AreEqual(5 * Rows, column.Count);
            Assert.AreEqual(0, column.NonFiniteCount);
            Assert.AreEqual(truth.Mean, column.Mean, 1e-5 * Math.Abs(truth.Mean), $"mean of column {j}");
            Assert.AreEqual(truth.Std, column.StandardDeviation, 1e-4 * truth.Std, $"standard deviation of column {j}");
            Assert.AreEqual(truth.Min, column.Min, 0, $"min of column {j}");
            Assert.AreEqual(truth.Max, column.Max, 0, $"max of column {j}");
        }
        var extents = Enumerable.Range(0, 13).Select(j => Column(x, 5 * Rows, j)).Select(c => Math.Max(Math.Abs(c.Min), Math.Abs(c.Max))).ToArray();
        Assert.AreEqual(extents.Max() / extents.Min(), profile.ScaleSpread, 1e-9 * profile.ScaleSpread);
        Assert.IsGreaterThan(1000.0, profile.ScaleSpread, "proline reaches about 1,600, nonflavanoid phenols about 0.6");

        var finding = profile.Findings.Single();
        Assert.AreEqual(InputScaleJudge.Rule, finding.Rule);
        Assert.AreEqual(AnomalySeverity.Warning, finding.Severity);
        Assert.AreEqual("input", finding.Column, "placed at the model's input");
        StringAssert.Contains(finding.Title, "input[:,12]", "the largest feature, proline, is named");
        StringAssert.Contains(finding.Detail, "(x - mean) / std");

        Assert.AreEqual(profile, RunLogReader.Read(log).DataProfiles.Single(), "the run log carries the profile and reads it back");
        File.Delete(log);
    }

    [TestMethod]
    public void StandardizedWineAndPixelsInZeroToOneGiveAProfileWithoutFinding()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Wine.Load();
        var standardized = (x - x.mean([0])) / x.std(0, unbiased: false);
        var wine = Train(standardized, y, 3, 5).DataProfiles.Single();
        Assert.HasCount(0, wine.Findings, string.Join("; ", wine.Findings.Select(f => f.Title)));
        Assert.AreEqual(0.0, wine.Columns.Max(c => Math.Abs(c.Mean)), 0.5, "standardized over all rows, the first 160 rows sit near zero");

        var (pixels, digits) = MonitorRecordingTests.Digits(); // 8x8 digits divided by 16: [0, 1], many sparse and constant pixels
        var image = Train(pixels, digits, 10, 5).DataProfiles.Single();
        Assert.HasCount(64, image.Columns);
        Assert.IsTrue(image.Columns.Any(c => c.IsConstant), "border pixels are blank in these rows");
        Assert.HasCount(0, image.Findings, string.Join("; ", image.Findings.Select(f => f.Title)));
    }

    [TestMethod]
    public void AnImageBatchIsProfiledPerChannelOverEveryPosition()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        var conv = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("relu", nn.ReLU()), ("flat", nn.Flatten()), ("fc", nn.Linear(4 * 4 * 4, 1)));
        var batches = Enumerable.Range(0, 3).Select(s => rand(8, 3, 6, 6, generator: new Generator((ulong)(50 + s))) * 255).ToArray();
        using var monitor = new TrainingMonitor(conv, new MonitorOptions { PublishMetrics = false, InputProfileBatches = 3 });
        MonitorHarness.Train(monitor, optim.SGD(conv.parameters(), 0.0), 4, s => (batches[s % 3], zeros(8, 1)), Mse);

        var profile = monitor.Run.DataProfiles.Single();
        Assert.AreEqual(24, profile.RowCount);
        Assert.HasCount(3, profile.Columns);
        var all = cat(batches, 0);
        for (int c = 0; c < 3; c++)
        {
            double[] values = TensorAssert.Values(all[.., c]);
            double mean = values.Average();
            Assert.AreEqual(24 * 36, profile.Columns[c].Count, "every position of every image");
            Assert.AreEqual(mean, profile.Columns[c].Mean, 1e-4 * mean);
            Assert.AreEqual(Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()), profile.Columns[c].StandardDeviation, 1e-3);
            Assert.AreEqual(values.Max(), profile.Columns[c].Max, 0);
        }
        Assert.AreEqual(InputScaleJudge.Rule, profile.Findings.Single().Rule, "raw 0-255 intensities are far beyond unit scale");
    }

    [TestMethod]
    public void TheProfileIsWrittenOnceAtTheLastProfiledStepAndCanBeTurnedOff()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Wine.Load();
        manual_seed(23);
        var model = nn.Sequential(("fc", nn.Linear(13, 3)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        var optimizer = optim.SGD(model.parameters(), 0.0);
        MonitorHarness.Train(monitor, optimizer, 4, s => Slice(x, y, s), CrossEntropy);
        Assert.HasCount(0, monitor.Run.DataProfiles, "four batches of five: not yet");
        MonitorHarness.Train(monitor, optimizer, 10, s => Slice(x, y, s), CrossEntropy);
        Assert.HasCount(1, monitor.Run.DataProfiles, "written at the fifth step the monitor ran, whatever its number");

        Assert.HasCount(0, Train(x, y, 3, 6, new MonitorOptions { InputProfileBatches = 0 }).DataProfiles);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TrainingMonitor(model, new MonitorOptions { InputProfileBatches = -1 }));
    }

    [TestMethod]
    public void NonFiniteValuesAreCountedAndLeftOutOfTheStatistics()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Wine.Load();
        var poisoned = x.clone();
        poisoned[3, 0] = float.NaN;
        poisoned[40, 0] = float.PositiveInfinity;
        var profile = Train(poisoned, y, 3, 5, new MonitorOptions { Policy = AnomalyPolicy.Record }).DataProfiles.Single();
        Assert.AreEqual(2, profile.Columns[0].NonFiniteCount);
        double[] finite = TensorAssert.Values(x[..(5 * Rows), 0]).Where((_, i) => i != 3 && i != 40).ToArray();
        Assert.AreEqual(finite.Average(), profile.Columns[0].Mean, 1e-5 * finite.Average());
        Assert.AreEqual(finite.Max(), profile.Columns[0].Max, 0);
    }
}
