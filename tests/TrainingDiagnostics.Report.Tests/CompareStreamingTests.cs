using System.Runtime.CompilerServices;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The comparison streams: two long logs are compared through one fold each, one log after the other, so the live heap
/// stays far below what holding their records would take, and the page is the one the in-memory comparison writes.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CompareStreamingTests
{
    private const int Steps = 6_000, Parameters = 40;

    /// <summary>The most live heap the comparison of the two logs may add while it reads them (the folds keep about 50 bytes a step, the heatmaps and sketches a fixed size).</summary>
    private const long HeapBound = 6_000_000;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void TwoLongLogsCompareWithinABoundedHeap()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "compare-streaming-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string[] logs = [Path.Combine(folder, "a.jsonl"), Path.Combine(folder, "b.jsonl")];
            WriteLog(logs[0], "a", seed: 1);
            WriteLog(logs[1], "b", seed: 2);

            (long bothRuns, string inMemory) = HoldBoth(logs);

            // The live heap, measured with a full collection every time the reader reports progress (every 1,024 records).
            long baseline = GC.GetTotalMemory(forceFullCollection: true), peak = 0;
            int samples = 0;
            var progress = new Sampler(() =>
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
                samples++;
            });
            IReadOnlyList<ReportSummary> summaries = HtmlReport.CompareLogs(logs, Path.Combine(folder, "compare.html"), progress: progress);

            TestContext.WriteLine($"two logs of {Steps:N0} steps x {Parameters} parameters ({new FileInfo(logs[0]).Length / 1e6:F0} MB each): " +
                $"both runs held in memory {bothRuns / 1e6:F1} MB; live heap added while comparing, at most {peak / 1e6:F1} MB over {samples} samples");
            Assert.IsGreaterThan(10, samples, "sampled while reading");
            Assert.IsGreaterThan(2 * HeapBound, bothRuns, "holding both runs would break the bound by far");
            Assert.IsLessThanOrEqualTo(HeapBound, peak);

            Assert.HasCount(2, summaries);
            Assert.AreEqual(Steps, summaries[0].StepCount);
            Assert.AreEqual(1, summaries[1].IncidentCount);

            // Streaming changes nothing on the page.
            string streamed = File.ReadAllText(Path.Combine(folder, "compare.html"));
            Assert.AreEqual(inMemory, streamed);
            Assert.Contains("<title>Comparison: a vs b</title>", streamed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true); // 12 MB of logs
        }
    }

    /// <summary>What holding the two runs' records takes (the oracle the bound is set against), and their page compared in memory; the runs are garbage on return.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long Bytes, string Page) HoldBoth(string[] logs)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        List<DiagnosticsRun> held = logs.Select(RunLogReader.Read).ToList();
        long bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        return (bytes, TestRuns.RenderCompare(held));
    }

    /// <summary>A run of <see cref="Steps"/> steps with <see cref="Parameters"/> parameters, a learning rate, a metric each 100 steps; run b has a NaN gradient incident.</summary>
    private static void WriteLog(string path, string name, int seed)
    {
        var random = new Random(seed);
        string[] names = Enumerable.Range(0, Parameters).Select(p => $"encoder.layer{p / 2}.{(p % 2 == 0 ? "weight" : "bias")}").ToArray();
        using var writer = new RunLogWriter(path, new RunMetadata { RunName = name, Seed = seed, Device = "cpu" });
        for (int s = 0; s < Steps; s++)
        {
            if (name == "b" && s == Steps / 2)
            {
                writer.Write(TestRuns.NaNGradient(s));
            }

            var layers = new LayerStatistics[Parameters];
            for (int p = 0; p < Parameters; p++)
            {
                layers[p] = new LayerStatistics { Name = names[p], GradientNorm = Math.Exp(random.NextDouble() - (s / (double)Steps)), WeightNorm = 1 + p };
            }

            writer.Write(new StepRecord { Step = s, Loss = (2.3 * Math.Exp(-3.0 * s / Steps)) + (0.05 * random.NextDouble()), LearningRate = 0.01 * (1 + (s / 1000)), Layers = layers });
            if (s % 100 == 99)
            {
                writer.Write(new MetricRecord { Step = s, Name = "validation/loss", Value = 2.3 * Math.Exp(-3.0 * s / Steps) });
            }
        }
    }

    private sealed class Sampler(Action sample) : IProgress<double>
    {
        public void Report(double value) => sample();
    }
}
