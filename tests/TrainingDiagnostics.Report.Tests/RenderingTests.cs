using System.Text.Json;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Rendering;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class RenderingTests
{
    [TestMethod]
    public void LttbKeepsEndpointsAndThePeakAndReturnsThresholdPoints()
    {
        double[] x = Enumerable.Range(0, 1000).Select(i => (double)i).ToArray();
        double[] y = x.Select(v => v == 617 ? 50 : Math.Sin(v / 50)).ToArray();

        int[] kept = Lttb.Select(x, y, 40);

        Assert.HasCount(40, kept);
        Assert.AreEqual(0, kept[0]);
        Assert.AreEqual(999, kept[^1]);
        Assert.Contains(617, kept);
        CollectionAssert.AreEqual(kept.Order().ToArray(), kept, "ascending");
        CollectionAssert.AreEqual(Enumerable.Range(0, 5).ToArray(), Lttb.Select(x.AsSpan(0, 5), y.AsSpan(0, 5), 10));
    }

    [TestMethod]
    public void LttbMatchesAHandWorkedExample()
    {
        // 5 points into 3: buckets (between the fixed ends) of width (5-2)/(3-2) = 3: the middle bucket is {1,2,3},
        // compared against a = point 0 and the mean of the last bucket, point 4 = (4, 0). Triangle areas (doubled):
        // |(0-4)(y-0) - (0-x)(0-0)| = 4|y|: y = {1, -3, 2} gives 4, 12, 8: point 2 wins.
        int[] kept = Lttb.Select([0, 1, 2, 3, 4], [0, 1, -3, 2, 0], 3);
        CollectionAssert.AreEqual(new[] { 0, 2, 4 }, kept);
    }

    [TestMethod]
    public void MedianMatchesSorting()
    {
        var random = new Random(7);
        foreach (int n in new[] { 1, 2, 3, 10, 11, 1000, 1001 })
        {
            double[] values = Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 20) / 4).ToArray();
            double[] sorted = values.Order().ToArray();
            double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.AreEqual(expected, Median.Of(values.ToArray()), $"n = {n}");
        }

        Assert.IsNull(Median.Of([]));
    }

    [TestMethod]
    public void ScriptJsonEscapesWhatCouldEndTheElement()
    {
        Assert.AreEqual("\"\\u003C/script\\u003E \\u0026 \\u2028\\u2029\"", ScriptJson.Escape("\"</script> & \u2028\u2029\""));
        string json = JsonSerializer.Serialize(new[] { "</script><!-- & \u2028" });
        Assert.AreEqual("</script><!-- & \u2028", JsonSerializer.Deserialize<string[]>(ScriptJson.Escape(json))![0]);
    }

    [TestMethod]
    public void QuantizeIsLogTenInHundredths()
    {
        Assert.AreEqual(-200, GradientHeatmap.Quantize(0.01));
        Assert.AreEqual(0, GradientHeatmap.Quantize(1));
        Assert.AreEqual(30, GradientHeatmap.Quantize(2), "log10 2 = 0.301");
        Assert.AreEqual(GradientHeatmap.Zero, GradientHeatmap.Quantize(0));
        Assert.AreEqual(GradientHeatmap.NonFinite, GradientHeatmap.Quantize(double.NaN));
        Assert.AreEqual(GradientHeatmap.NonFinite, GradientHeatmap.Quantize(double.PositiveInfinity));
    }

    [TestMethod]
    public void HeatmapColumnsHoldTheLargestValueAndNaNWins()
    {
        // 10 steps into 4 columns: step i goes to column floor(4i/10): {0,1,2}, {3,4}, {5,6,7}, {8,9}.
        double?[] a = [1, 10, 100, 0.1, 0.01, 1, double.NaN, 1, null, null];
        var steps = a.Select((g, i) => Step(i + 100, 1, ("a", g), ("b", 0))).ToList();
        steps[9] = Step(109, 1, ("c", 1000), ("a", 1000)); // another order, a new parameter

        GradientHeatmap map = Heatmaps.Of(steps, 4);

        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, map.Layers.ToArray());
        CollectionAssert.AreEqual(new long[] { 100, 103, 105, 108 }, map.ColumnStart);
        CollectionAssert.AreEqual(new long[] { 102, 104, 107, 109 }, map.ColumnEnd);
        CollectionAssert.AreEqual(new[] { 200, -100, GradientHeatmap.NonFinite, 300 }, map.Gradient[0]);
        CollectionAssert.AreEqual(new[] { GradientHeatmap.Zero, GradientHeatmap.Zero, GradientHeatmap.Zero, GradientHeatmap.Zero }, map.Gradient[1]);
        CollectionAssert.AreEqual(new[] { GradientHeatmap.Missing, GradientHeatmap.Missing, GradientHeatmap.Missing, 300 }, map.Gradient[2]);
        Assert.IsNull(map.Update, "no step recorded an update ratio");
    }
}
