using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class CompareTests
{
    public TestContext TestContext { get; set; } = null!;

    private static DiagnosticsRun Second() => Run(Typical().Steps.Select(s => s with { Loss = s.Loss * 2 }), name: "lr x1000", anomalies: [NaNGradient(12)]) with
    {
        Metadata = Typical().Metadata with { RunName = "lr x1000", Tags = new Dictionary<string, string> { ["learning rate"] = "10" } },
    };

    [TestMethod]
    public void TwoRunsSideBySide()
    {
        string html = RenderCompare([Typical(), Second()]);

        Assert.Contains("<title>Comparison: digits vs lr x1000</title>", html);
        foreach (string id in new[] { "runs", "loss", "gradient-norm", "verdicts", "anomalies", "metadata" })
        {
            Assert.Contains($"<section id=\"{id}\"", html);
        }

        Assert.Contains("<tr class=\"verdict-healthy\"><th scope=\"row\"><span class=\"swatch s0\"></span>digits</th><td class=\"text verdict-cell\">Healthy</td><td>50</td>", html);
        Assert.Contains("<tr class=\"verdict-failed\"><th scope=\"row\"><span class=\"swatch s1\"></span>lr x1000</th><td class=\"text verdict-cell\">Failed</td>", html);
        Assert.AreEqual(2, Regex.Matches(html, "<polyline class=\"series s0\"").Count, "loss and gradient norm of the first run");
        Assert.AreEqual(2, Regex.Matches(html, "<polyline class=\"series s1\"").Count);
        Assert.Contains("<tr><th scope=\"row\">learning rate</th><td class=\"text diff\">0.01</td><td class=\"text diff\">10</td></tr>", html);
        Assert.Contains("<tr><th scope=\"row\">Device</th><td class=\"text\">cpu</td><td class=\"text\">cpu</td></tr>", html);
        Assert.Contains("id=\"r0-verdict\"", html);
        Assert.Contains("<details class=\"incident critical\" id=\"r1-incident-0\">", html);
        Assert.Contains("href=\"#r1-incident-0\"", html);
    }

    [TestMethod]
    public void TotalGradientNormComesFromTheLayersWhenNotRecorded()
    {
        // sqrt(3^2 + 4^2) = 5 at every step but the last (sqrt(6^2 + 8^2) = 10): the axis spans 5..10 padded by 5 %,
        // so 5 sits at 1/22 of the 244 px plot height above its bottom (y = 16 + 244 - 244/22).
        var run = Run(Enumerable.Range(0, 4).Select(i => i < 3 ? Step(i, 1, ("a", 3), ("b", 4)) : Step(i, 1, ("a", 6), ("b", 8))));
        string html = RenderCompare([run]);
        string chart = Regex.Match(html, "<svg class=\"chart\" id=\"gradient-norm-chart\".*?</svg>", RegexOptions.Singleline).Value;
        string points = Regex.Match(chart, "<polyline class=\"series s0\" points=\"([^\"]*)\"").Groups[1].Value;
        double[] ys = points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.HasCount(4, ys);
        Assert.AreEqual(16 + 244 - (244 / 22.0), ys[0], 0.01);
        Assert.AreEqual(16 + (244 / 22.0), ys[3], 0.01);
    }

    [TestMethod]
    public void EveryRunStringIsEncoded()
    {
        string html = RenderCompare([Typical(Xss) with { Metadata = Typical().Metadata with { RunName = Xss } }, Second()]);
        Assert.DoesNotContain(Xss, html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }

    [TestMethod]
    public void IncompleteRunsGetTheirOwnBanner()
    {
        string html = RenderCompare([Typical(), Second() with { IsComplete = false }]);
        Assert.DoesNotContain("id=\"r0-incomplete-banner\"", html);
        Assert.Contains("id=\"r1-incomplete-banner\"", html);
        Assert.Contains("Incomplete run log: lr x1000.", html);
    }

    [TestMethod]
    public void CompareToAFile()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), Guid.NewGuid().ToString("N"), "compare.html");
        HtmlReport.Compare([Typical(), Second()], path);
        Assert.AreEqual(RenderCompare([Typical(), Second()]), File.ReadAllText(path));
    }

    [TestMethod]
    public void NoRunIsAnError()
    {
        Assert.Throws<ArgumentException>(() => RenderCompare([]));
    }
}
