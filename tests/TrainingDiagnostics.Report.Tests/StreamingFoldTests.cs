using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class StreamingFoldTests
{
    [TestMethod]
    public void SketchMedianIsExactWhenSmallAndWithinOnePercentBeyond()
    {
        var random = new Random(11);
        var sketch = new QuantileSketch();
        var values = new List<double>();
        for (int i = 0; i < 100_001; i++)
        {
            double v = Math.Exp(3 * ((random.NextDouble() * 2) - 1)) * (i % 97 == 0 ? 0 : 1); // log-uniform over 6 orders, some zeros
            values.Add(v);
            sketch.Add(v);
            if (i == 500)
            {
                // Oracle: the sorted middle value.
                double exact = values.Order().ElementAt(values.Count / 2);
                Assert.AreEqual(exact, sketch.Median()!.Value, "exact below the capacity");
            }
        }

        double truth = values.Order().ElementAt(values.Count / 2);
        Assert.AreEqual(truth, sketch.Median()!.Value, truth * QuantileSketch.RelativeError * 1.001);
        Assert.IsNull(new QuantileSketch().Median());
    }

    [TestMethod]
    public void HeatmapOfALongRunKeepsItsSpikeAndItsNaNAfterBucketsMerge()
    {
        // 10,000 steps into 100 columns: the buckets merge several times while streaming.
        var steps = Enumerable.Range(0, 10_000).Select(i => new StepRecord
        {
            Step = 1000 + i,
            Loss = 1,
            Layers = [new LayerStatistics { Name = "w", GradientNorm = i == 7777 ? 1000 : i == 5000 ? double.NaN : 1 }],
        }).ToList();

        GradientHeatmap map = Heatmaps.Of(steps, 100);

        Assert.AreEqual(100, map.ColumnCount);
        Assert.AreEqual(1000L, map.ColumnStart[0]);
        Assert.AreEqual(10_999L, map.ColumnEnd[^1]);
        for (int c = 1; c < map.ColumnCount; c++)
        {
            Assert.AreEqual(map.ColumnEnd[c - 1] + 1, map.ColumnStart[c], "columns tile the steps");
        }

        int spike = Array.FindIndex(map.ColumnStart, s => s > 1000 + 7777) - 1;
        int nan = Array.FindIndex(map.ColumnStart, s => s > 1000 + 5000) - 1;
        Assert.AreEqual(300, map.Gradient[0][spike], "log10 1000 = 3");
        Assert.AreEqual(GradientHeatmap.NonFinite, map.Gradient[0][nan]);
        Assert.AreEqual(98, map.Gradient[0].Count(code => code == 0), "every other column holds 1");
    }

    [TestMethod]
    public void ARunFoldsToTheSameViewFromAnyRecordOrderWithinKinds()
    {
        DiagnosticsRun run = LargeRun.Create(5_000, 6);
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, run.Metadata, leaveOpen: true))
        {
            // Incidents interleaved where the monitor writes them: just before their step.
            var incidents = run.Anomalies.ToLookup(a => a.Step);
            foreach (StepRecord step in run.Steps)
            {
                foreach (AnomalyEvent anomaly in incidents[step.Step])
                {
                    writer.Write(anomaly);
                }

                writer.Write(step);
            }
        }

        using var cursor = RunLogReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
        var fromLog = new StringWriter();
        var fromRun = new StringWriter();
        HtmlReport.Write(run, fromRun);
        HtmlReport.Render(RunFold.FromLog(cursor, new ReportOptions()), fromLog, new ReportOptions());
        Assert.AreEqual(fromRun.ToString(), fromLog.ToString());
    }
}
