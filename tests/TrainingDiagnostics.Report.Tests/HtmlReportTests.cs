using System.Globalization;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed partial class HtmlReportTests
{
    private const string Xss = "<img src=x onerror=alert(1)>";

    public TestContext TestContext { get; set; } = null!;

    private static DiagnosticsRun Run(IEnumerable<StepRecord> steps, string name = "digits", bool complete = true) => new()
    {
        Metadata = new RunMetadata
        {
            RunName = name,
            ModelDescription = "MLP 64-32-10",
            ParameterCount = 2410,
            Device = "cpu",
            Seed = 42,
            StartedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 7, TimeSpan.Zero),
            TorchSharpVersion = "0.107.0",
            Tags = new Dictionary<string, string> { ["learning rate"] = "0.01" },
        },
        Steps = steps.ToList(),
        IsComplete = complete,
    };

    private static StepRecord Step(long step, double loss, params (string Name, double? Grad)[] layers) => new()
    {
        Step = step,
        Loss = loss,
        Layers = layers.Select(l => new LayerStatistics { Name = l.Name, GradientNorm = l.Grad, WeightNorm = 1234.5678 }).ToList(),
    };

    private static DiagnosticsRun TypicalRun(string layerName = "fc1.weight") => Run(
        Enumerable.Range(0, 50).Select(i => Step(i, 2.5 / (1 + (0.1 * i)), (layerName, 1.5 + i), ("fc1.bias", 0.001234 * (i + 1)))));

    private static string Render(DiagnosticsRun run, ReportOptions? options = null)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReport.Write(run, text, options);
        return text.ToString();
    }

    [GeneratedRegex("<[a-zA-Z][^>]*>")]
    private static partial Regex Tag();

    [TestMethod]
    public void HasEverySection()
    {
        string html = Render(TypicalRun());

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.EndsWith("</html>" + Environment.NewLine, html);
        Assert.Contains("<title>Training report: digits</title>", html);
        Assert.Contains("<section id=\"metadata\">", html);
        Assert.Contains("<section id=\"loss\">", html);
        Assert.Contains("<section id=\"gradient-norms\">", html);
        Assert.Contains("<svg", html);
        Assert.AreEqual(1, Regex.Matches(html, "<polyline class=\"loss\"").Count);
        Assert.Contains("<dt>Parameters</dt><dd>2410</dd>", html);
        Assert.Contains("<dt>learning rate</dt><dd>0.01</dd>", html);
        Assert.Contains("<dt>Started at</dt><dd>2026-11-25 13:45:07 +00:00</dd>", html);
        Assert.Contains("<th scope=\"row\">fc1.weight</th>", html);
        Assert.Contains("<th scope=\"row\">fc1.bias</th>", html);
        Assert.DoesNotContain("incomplete-banner", html);
    }

    [TestMethod]
    public void IsSelfContainedWithNoScriptOrNetwork()
    {
        string html = Render(TypicalRun());

        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        foreach (Match tag in Tag().Matches(html))
        {
            Assert.DoesNotMatchRegex(new Regex(@"\s(src|href|xlink:href)\s*=", RegexOptions.IgnoreCase), tag.Value);
        }
    }

    [TestMethod]
    public void EveryStringFromTheRunIsEncoded()
    {
        var run = Run([Step(0, 1.0, (Xss, 0.5)), Step(1, 0.5, (Xss, 0.25))], name: Xss) with
        {
            Metadata = Run([], name: Xss).Metadata with
            {
                ModelDescription = Xss,
                Device = "\"><script>alert(2)</script>",
                TorchSharpVersion = "a & b",
                Tags = new Dictionary<string, string> { [Xss] = Xss },
            },
        };

        string html = Render(run);

        Assert.DoesNotContain(Xss, html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("<th scope=\"row\">&lt;img src=x onerror=alert(1)&gt;</th>", html);
        Assert.Contains("&quot;&gt;&lt;script&gt;", html);
        Assert.Contains("a &amp; b", html);
        foreach (Match tag in Tag().Matches(html))
        {
            Assert.DoesNotContain("onerror", tag.Value);
        }
    }

    [TestMethod]
    public void TitleOptionIsEncodedToo()
    {
        string html = Render(TypicalRun(), new ReportOptions { Title = Xss });
        Assert.DoesNotContain(Xss, html);
        Assert.Contains("<title>&lt;img src=x onerror=alert(1)&gt;</title>", html);
    }

    [TestMethod]
    [DataRow("de-DE")]
    [DataRow("ru-RU")]
    [DataRow("fr-FR")]
    public void NumbersDoNotDependOnCulture(string culture)
    {
        DiagnosticsRun run = TypicalRun();
        string invariant;
        using (new CultureScope("")) // the invariant culture
        {
            invariant = Render(run);
        }

        string local;
        using (new CultureScope(culture))
        {
            local = Render(run);
        }

        Assert.AreEqual(invariant, local);
        Assert.Contains("<td>1235</td>", invariant, "last weight norm 1234.5678 to four significant digits");
        Assert.Contains("<td>0.001234</td>", invariant, "first bias gradient norm");
    }

    [TestMethod]
    public void TableSummarizesEachParameterAgainstHandComputedValues()
    {
        double?[] grads = [3, 1, null, 2, double.NaN, 4];
        var run = Run(grads.Select((g, i) => Step(i, 1.0, ("w", g))));

        string html = Render(run);

        // Steps recorded 5 (one null), first 3, last 4, min 1, max 4, median of {1,2,3,4} = 2.5, one non-finite.
        Assert.Contains(
            "<tr><th scope=\"row\">w</th><td>5</td><td>3</td><td>4</td><td>1</td><td>4</td><td>2.5</td><td class=\"bad\">1</td><td>1235</td></tr>",
            html);
    }

    [TestMethod]
    public void NaNLossBreaksTheLineAndIsMarked()
    {
        var run = Run(new[] { 2.0, 1.5, double.NaN, 1.0, 0.8, double.PositiveInfinity, 0.5 }.Select((l, i) => Step(i, l)));

        string html = Render(run);

        // Segments: {0,1}, {3,4}, {6} (a single point).
        Assert.AreEqual(2, Regex.Matches(html, "<polyline class=\"loss\"").Count);
        Assert.AreEqual(1, Regex.Matches(html, "<circle class=\"loss-point\"").Count);
        Assert.AreEqual(2, Regex.Matches(html, "class=\"nonfinite\"").Count);
        Assert.Contains("<title>step 2: loss NaN</title>", html);
        Assert.Contains("<title>step 5: loss +Inf</title>", html);
        Assert.Contains("id=\"nonfinite-loss-note\"", html);
    }

    [TestMethod]
    public void AllNaNRunStillRenders()
    {
        string html = Render(Run(Enumerable.Range(0, 5).Select(i => Step(i, double.NaN, ("w", double.NaN)))));
        Assert.DoesNotContain("<polyline", html);
        Assert.AreEqual(5, Regex.Matches(html, "class=\"nonfinite\"").Count);
        Assert.Contains("final loss NaN", html);
    }

    [TestMethod]
    public void LongRunIsDownsampledButKeepsItsSpike()
    {
        const int n = 100_000, spikeAt = 54_321;
        var run = Run(Enumerable.Range(0, n).Select(i => Step(i, i == spikeAt ? 10.0 : 1.0 + (0.5 * Math.Sin(i / 1000.0)))));

        string html = Render(run, new ReportOptions { MaxChartPoints = 200 });

        string points = Regex.Match(html, "<polyline class=\"loss\" points=\"([^\"]*)\"").Groups[1].Value;
        double[] ys = points.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.IsLessThanOrEqualTo(200, ys.Length);

        // The spike is the maximum: with 5 % padding it sits at top + 0.05 / 1.1 of the 244 px plot height.
        double expectedSpikeY = 16 + (244 * 0.05 / 1.1);
        Assert.AreEqual(expectedSpikeY, ys.Min(), 0.01);
        Assert.IsLessThan(200_000, html.Length);
    }

    [TestMethod]
    public void IncompleteRunShowsTheBanner()
    {
        string html = Render(TypicalRun() with { IsComplete = false });
        Assert.Contains("id=\"incomplete-banner\"", html);
        Assert.Contains("Incomplete run log", html);
    }

    [TestMethod]
    public void EmptyRunRenders()
    {
        string html = Render(Run([]));
        Assert.Contains("No steps were recorded.", html);
        Assert.Contains("No per-parameter statistics were recorded.", html);
    }

    [TestMethod]
    public void WriteToPathCreatesTheFolderAndFile()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), Guid.NewGuid().ToString("N"), "nested");
        string path = Path.Combine(folder, "report.html");

        HtmlReport.Write(TypicalRun(), path);

        Assert.AreEqual(Render(TypicalRun()), File.ReadAllText(path));
    }

    [TestMethod]
    public void TooFewChartPointsIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(TypicalRun(), new ReportOptions { MaxChartPoints = 1 }));
    }
}
