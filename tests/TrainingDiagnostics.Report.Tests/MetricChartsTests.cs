using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class MetricChartsTests
{
    private static string Chart(string html, string id) => Regex.Match(html, $"<svg class=\"chart\" id=\"{id}\".*?</svg>", RegexOptions.Singleline).Value;

    private static double[] Values(JsonElement series) =>
        series.GetProperty("seg").EnumerateArray().SelectMany(s => s[1].EnumerateArray().Select(v => v.GetDouble())).ToArray();

    [TestMethod]
    public void ValidationLossIsDrawnOverTheLossAndOtherMetricsGetTheirOwnChart()
    {
        string html = Render(WithMetrics());

        Assert.Contains("<h2>Loss and metrics over steps</h2>", html);
        string loss = Chart(html, "loss-chart");
        Assert.Contains("<polyline class=\"loss\"", loss);
        Assert.Contains("<polyline class=\"metric m0\"", loss, "validation/loss, the run's first metric, on the loss chart");
        Assert.AreEqual(5, Regex.Matches(loss, "<circle class=\"metric m0-point dot\"").Count, "a dot per evaluation");
        Assert.Contains("<title>validation/loss: 0.2 at step 49</title>", loss);
        Assert.Contains("<span class=\"swatch m0\"></span>validation/loss: 5 evaluation(s), the dots", html);

        // validation/accuracy (metric 1) has its own chart; its reading is worked out by hand from 0.5 + 0.08k.
        Assert.Contains("<h3>validation/accuracy</h3>", html);
        Assert.Contains("Higher is better. 5 value(s): first 0.58 at step 9; best 0.9 at step 49; last 0.9 at step 49.", html);
        string accuracy = Chart(html, "metric-chart-1");
        Assert.Contains("<polyline class=\"metric m1\"", accuracy);
        Assert.Contains("viewBox=\"0 0 760 170\"", accuracy);
        Assert.AreEqual("", Chart(html, "metric-chart-0"), "a loss metric gets no chart of its own");

        // The charts share the loss chart's step axis: step 0 at x = 64 and step 49 at x = 744 in both.
        Assert.Contains("<text class=\"tick\" x=\"64\" y=\"146\" text-anchor=\"middle\">0</text>", accuracy);
        Assert.Contains("cx=\"744\"", accuracy);

        using JsonDocument data = Data(html);
        JsonElement overlay = data.RootElement.GetProperty("overlay")[0];
        Assert.AreEqual("validation/loss", overlay.GetProperty("name").GetString());
        double[] values = Values(overlay);
        Assert.HasCount(5, values);
        for (int k = 1; k <= 5; k++)
        {
            Assert.AreEqual(1.0 / k, values[k - 1], 1e-6 / k, "1/k to six significant digits");
        }
        JsonElement chart = data.RootElement.GetProperty("charts")[0];
        Assert.AreEqual("metric-chart-1", chart.GetProperty("id").GetString());
        Assert.AreEqual("accuracy", chart.GetProperty("y").GetString());
        CollectionAssert.AreEqual(new[] { 0.58, 0.66, 0.74, 0.82, 0.9 }, Values(chart.GetProperty("series")[0]));
    }

    [TestMethod]
    public void ConstantLearningRateIsANumberNotAFlatChart()
    {
        string html = Render(WithMetrics());
        Assert.Contains("<p class=\"note\" id=\"lr-note\">The optimizer's learning rate (its first parameter group) was 0.01 at every step.</p>", html);
        Assert.DoesNotContain("id=\"lr-chart\"", html);
    }

    [TestMethod]
    public void LearningRateJumpIsDrawnStepForStep()
    {
        var run = Run(Enumerable.Range(0, 100).Select(i => Step(i, 1.0 / (1 + i)) with { LearningRate = i < 50 ? 0.01 : 10 }));

        string html = Render(run);

        string lr = Chart(html, "lr-chart");
        Assert.Contains("<polyline class=\"lr\"", lr);
        Assert.Contains("From 0.01 to 10; lowest 0.01, highest 10.", html);

        // Linear axis 0.01..10 padded by 5 %: 0.01 sits at 16 + 114 - 114 * (0.05 * 9.99) / (1.1 * 9.99) = 124.82, 10 at 16 + 114 * 0.05 / 1.1 = 21.18.
        string[] points = Regex.Match(lr, "<polyline class=\"lr\" points=\"([^\"]*)\"").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double Y(int i) => double.Parse(points[i].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.AreEqual(16 + 114 - (114 * 0.05 / 1.1), Y(49), 0.01);
        Assert.AreEqual(16 + (114 * 0.05 / 1.1), Y(50), 0.01);
    }

    [TestMethod]
    public void MetricNamesAreEncodedEverywhere()
    {
        var run = WithMetrics() with { Metrics = [Metric(3, Xss, 1), Metric(9, Xss, 2), Metric(9, Xss + " loss", 1)] };

        string html = Render(run);

        Assert.DoesNotContain(Xss, html);
        Assert.Contains("<h3>&lt;img src=x onerror=alert(1)&gt;</h3>", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; loss: 1 evaluation(s), the dots", html);
        using JsonDocument data = Data(html);
        Assert.AreEqual(Xss + " loss", data.RootElement.GetProperty("overlay")[0].GetProperty("name").GetString());
        Assert.AreEqual(Xss, data.RootElement.GetProperty("charts")[0].GetProperty("series")[0].GetProperty("name").GetString());
    }

    [TestMethod]
    public void SummaryNamesTheLastJudgedMetrics()
    {
        Assert.Contains("50 steps recorded; final loss 0.4237 at step 49; validation/loss 0.2; validation/accuracy 0.9.", Render(WithMetrics()));
    }

    [TestMethod]
    public void CompareDrawsEachMetricForEveryRun()
    {
        DiagnosticsRun collapsed = WithMetrics() with
        {
            Metadata = Typical().Metadata with { RunName = "lr x1000" },
            Steps = WithMetrics().Steps.Select(s => s with { LearningRate = s.Step < 25 ? 0.01 : 10 }).ToList(),
            Metrics = [Metric(9, "validation/accuracy", 0.8), Metric(49, "validation/accuracy", 0.1)],
        };

        string html = RenderCompare([WithMetrics(), collapsed]);

        Assert.Contains("<section id=\"metrics\">", html);
        Assert.Contains("<h3>validation/accuracy</h3>", html);
        string accuracy = Chart(html, "metric-chart-1");
        Assert.Contains("<polyline class=\"series s0\"", accuracy);
        Assert.Contains("<polyline class=\"series s1\"", accuracy);
        Assert.Contains("<title>lr x1000 validation/accuracy: 0.1 at step 49</title>", accuracy);
        Assert.Contains("<polyline class=\"series s1\"", Chart(html, "lr-chart"));
        Assert.Contains("<td class=\"text\">validation/loss\u00a00.2<br>validation/accuracy\u00a00.9</td>", html);
        Assert.Contains("<tr class=\"verdict-failed\"><th scope=\"row\"><span class=\"swatch s1\"></span>lr x1000</th><td class=\"text verdict-cell\">Failed</td>", html);
    }
}
