using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed partial class HtmlReportTests
{
    public TestContext TestContext { get; set; } = null!;

    [GeneratedRegex("<[a-zA-Z][^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex("<script([^>]*)>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [TestMethod]
    public void HasEverySectionInReadingOrder()
    {
        string html = Render(Run(Typical().Steps, anomalies: [NaNGradient(20)]));

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.EndsWith("</html>" + Environment.NewLine, html);
        Assert.Contains("<title>Training report: digits</title>", html);
        string[] sections = ["id=\"verdict\"", "<section id=\"loss\">", "<section id=\"gradient-norms\">", "<section id=\"anomalies\"", "<section id=\"metadata\">"];
        int[] positions = sections.Select(s => html.IndexOf(s, StringComparison.Ordinal)).ToArray();
        foreach ((string section, int position) in sections.Zip(positions))
        {
            Assert.IsGreaterThanOrEqualTo(0, position, section);
        }

        CollectionAssert.AreEqual(positions.Order().ToArray(), positions, "verdict, loss, gradients, incidents, metadata");
        Assert.AreEqual(1, Regex.Matches(html, "<polyline class=\"loss\"").Count);
        Assert.Contains("id=\"heatmap-canvas\"", html);
        Assert.Contains("id=\"layer-filter\"", html);
        Assert.Contains("<dt>Parameters</dt><dd>2410</dd>", html);
        Assert.Contains("<dt>learning rate</dt><dd>0.01</dd>", html);
        Assert.Contains("<dt>Started at</dt><dd>2026-11-25 13:45:07 +00:00</dd>", html);
        Assert.Contains("<th scope=\"row\">fc1.weight</th>", html);
        Assert.Contains("<th scope=\"row\">fc1.bias</th>", html);
        Assert.DoesNotContain("incomplete-banner", html);
    }

    [TestMethod]
    public void VerdictAtTheTopShowsTheThreeMostImportantFindings()
    {
        var run = Run(Typical().Steps, anomalies: [Exploding(5), NaNGradient(20), NaNGradient(21)]) with { IsComplete = false };

        string html = Render(run);

        Assert.Contains("<section id=\"verdict\" class=\"verdict verdict-failed\"", html);
        Assert.Contains("<p class=\"verdict-label\" id=\"verdict-label\">Failed</p>", html);
        string top = Regex.Match(html, "<ol class=\"top-findings\" id=\"verdict-top\">(.*?)</ol>", RegexOptions.Singleline).Groups[1].Value;
        string[] items = Regex.Matches(top, "<li class=\"finding\" data-rule=\"([^\"]+)\"><span class=\"sev sev-(\\w+)\">").Select(m => m.Groups[2].Value + ":" + m.Groups[1].Value).ToArray();

        // Critical first (the incident at step 20 before the generic NaN-gradient record finding), then the warnings by step.
        CollectionAssert.AreEqual(new[] { "critical:incident", "warning:incident", "warning:incomplete-log" }, items);
        Assert.Contains("Non-finite gradient in block.act (SqrtBackward0), backward pass, first at step 20, 2 times", top);
    }

    [TestMethod]
    public void HealthyRunSaysSo()
    {
        string html = Render(Typical());
        Assert.Contains("<section id=\"verdict\" class=\"verdict verdict-healthy\"", html);
        Assert.Contains(">Healthy</p>", html);
        Assert.Contains("No incidents in 50 steps", html);
        Assert.Contains("The loss fell from", html);
    }

    [TestMethod]
    public void EachIncidentHasItsDetail()
    {
        var run = Run(Typical().Steps, anomalies: [NaNGradient(20), Exploding(30)]);

        string html = Render(run);

        string detail = Regex.Match(html, "<details class=\"incident critical\" id=\"incident-0\">(.*?)</details>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<summary><span class=\"sev sev-critical\">critical</span> step 20: NonFiniteGradient in block.act</summary>", detail);
        Assert.Contains("<dt>Phase</dt><dd>Backward</dd>", detail);
        Assert.Contains("<dt>Module path</dt><dd>block.act</dd>", detail);
        Assert.Contains("<dt>Operation</dt><dd>SqrtBackward0</dd>", detail);
        Assert.Contains("<dt>Suggestion</dt><dd>Clamp the input: sqrt(x.clamp_min(1e-12)).</dd>", detail);
        Assert.Contains("<dt>Replay / localization</dt><dd>Replay of the step: first non-finite gradient at the probe after block.act.</dd>", detail);
        Assert.Contains("<tr><th scope=\"row\">grad_input</th><td class=\"text\">[64, 32]</td><td class=\"text\">Float32</td><td class=\"bad\">3</td><td>0</td><td>-0.5</td><td>1.25</td><td>0.0625</td></tr>", detail);
        Assert.Contains("<tr><th scope=\"row\">input[0]</th>", detail);
        Assert.Contains("<details class=\"incident warning\" id=\"incident-1\">", html);
        Assert.Contains("<dt>Threshold</dt><dd>120</dd>", html);

        // The timeline links each marker to its detail.
        Assert.Contains("<a class=\"incident-link\" href=\"#incident-0\">", html);
        Assert.Contains("<a class=\"incident-link\" href=\"#incident-1\">", html);
    }

    [TestMethod]
    public void IncidentsBeyondTheLimitAreCountedNotDetailed()
    {
        var run = Run(Typical().Steps, anomalies: Enumerable.Range(0, 5).Select(i => NaNGradient(10 + i)));

        string html = Render(run, new ReportOptions { MaxIncidentDetails = 2 });

        Assert.AreEqual(2, Regex.Matches(html, "<details class=\"incident").Count);
        Assert.Contains("3 more incident(s) are not detailed here", html);
        Assert.Contains("<tr><td>NonFiniteGradient</td><td class=\"text\">block.act</td><td>3</td><td>12</td><td>14</td></tr>", html);
    }

    [TestMethod]
    public void OnlyItsOwnHashedScriptAndStyleMayRunAndNothingLoads()
    {
        string html = Render(Run(Typical().Steps, anomalies: [NaNGradient(3)]));

        foreach (Match tag in Tag().Matches(html))
        {
            Assert.DoesNotMatchRegex(new Regex(@"\s(src|xlink:href)\s*=", RegexOptions.IgnoreCase), tag.Value);
            Match href = Regex.Match(tag.Value, "\\shref=\"([^\"]*)\"");
            Assert.IsTrue(!href.Success || href.Groups[1].Value.StartsWith('#'), "only in-page links: " + tag.Value);
        }

        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("http://", html, "no URL at all, not even a namespace");

        string csp = Regex.Match(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">").Groups[1].Value;
        StringAssert.StartsWith(csp, "default-src 'none';");
        Assert.DoesNotContain("unsafe", csp);

        // Exactly two script elements: the inert JSON data block and one inline script, allowed by its SHA-256.
        MatchCollection scripts = ScriptElement().Matches(html);
        Assert.HasCount(2, scripts);
        Assert.AreEqual(" type=\"application/json\" id=\"report-data\"", scripts[0].Groups[1].Value);
        Assert.AreEqual("", scripts[1].Groups[1].Value);
        string scriptHash = "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(scripts[1].Groups[2].Value)));
        Assert.Contains($"script-src '{scriptHash}'", csp);
        string style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        string styleHash = "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)));
        Assert.Contains($"style-src '{styleHash}'", csp);
        Assert.DoesNotContain(" style=\"", html, "an inline style attribute would be blocked by the CSP");
    }

    [TestMethod]
    public void EveryStringFromTheRunIsEncoded()
    {
        var anomaly = NaNGradient(1, module: Xss) with { Operation = Xss, Message = Xss, Suggestion = "</script><script>alert(3)</script>", Localization = Xss };
        var run = Run([Step(0, 1.0, (Xss, 0.5)), Step(1, 0.5, (Xss, 0.25))], name: Xss, anomalies: [anomaly]) with
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
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.AreEqual(2, Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Count, "only the report's own two script elements");
        Assert.AreEqual(2, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count, "no run string closes a script element");
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("<th scope=\"row\">&lt;img src=x onerror=alert(1)&gt;</th>", html);
        Assert.Contains("<dt>Module path</dt><dd>&lt;img src=x onerror=alert(1)&gt;</dd>", html);
        Assert.Contains("&quot;&gt;&lt;script&gt;", html);
        Assert.Contains("a &amp; b", html);
        foreach (Match tag in Tag().Matches(html))
        {
            Assert.DoesNotContain("onerror", tag.Value);
        }

        // The data block holds the name with < and > escaped, and a JSON reader gets the name back exactly.
        string block = DataBlock(html);
        Assert.DoesNotContain("<", block);
        Assert.DoesNotContain(">", block);
        using JsonDocument data = Data(html);
        Assert.AreEqual(Xss, data.RootElement.GetProperty("heat").GetProperty("layers")[0].GetString());
    }

    [TestMethod]
    public void LineSeparatorsCannotBreakTheDataBlock()
    {
        string name = "a\u2028b\u2029c & </script><!--";
        string html = Render(Run([Step(0, 1.0, (name, 0.5))]));

        string block = DataBlock(html);
        Assert.DoesNotContain("\u2028", block);
        Assert.DoesNotContain("\u2029", block);
        Assert.Contains("\\u2028", block);
        Assert.Contains("\\u003C/script\\u003E\\u003C!--", block);
        using JsonDocument data = Data(html);
        Assert.AreEqual(name, data.RootElement.GetProperty("heat").GetProperty("layers")[0].GetString());
    }

    [TestMethod]
    public void TitleOptionIsEncodedToo()
    {
        string html = Render(Typical(), new ReportOptions { Title = Xss });
        Assert.DoesNotContain(Xss, html);
        Assert.Contains("<title>&lt;img src=x onerror=alert(1)&gt;</title>", html);
    }

    [TestMethod]
    [DataRow("de-DE")]
    [DataRow("ru-RU")]
    [DataRow("fr-FR")]
    [DataRow("ar-SA")]
    public void NumbersDoNotDependOnTheCulture(string culture)
    {
        var run = Run(Typical().Steps.Select(s => s with
        {
            Loss = s.Loss + 0.000123,
            ElapsedMilliseconds = 1234.5,
            Layers = s.Layers.Select(l => l with { UpdateRatio = 0.00125 }).ToList(),
        }), anomalies: [NaNGradient(7), Exploding(9)]);
        string invariant = Render(run);
        string compareInvariant = RenderCompare([run, run with { Metadata = run.Metadata with { RunName = "b" } }]);

        string local, compareLocal;
        using (new CultureScope(culture))
        {
            local = Render(run);
            compareLocal = RenderCompare([run, run with { Metadata = run.Metadata with { RunName = "b" } }]);
        }

        Assert.AreEqual(invariant, local);
        Assert.AreEqual(compareInvariant, compareLocal);

        // A writer that formats with the culture (TextWriter.FormatProvider) changes nothing either.
        var cultured = new StringWriter(CultureInfo.GetCultureInfo(culture));
        HtmlReport.Write(run, cultured);
        Assert.AreEqual(invariant, cultured.ToString());
        Assert.Contains("<td>1235</td>", invariant, "weight norm 1234.5678 with four significant digits and no group separator");
        Assert.Contains("<td>0.00125</td>", invariant);
        Assert.Contains("<dt>Mean step time</dt><dd>1234 ms</dd>", invariant);
    }

    [TestMethod]
    public void TableSummarizesEachParameterAgainstHandComputedValues()
    {
        double?[] grads = [3, 1, null, 2, double.NaN, 4];
        var run = Run(grads.Select((g, i) => Step(i, 1.0, ("w", g))));

        string html = Render(run);

        // Steps recorded 5 (one null), first 3, last 4, min 1, max 4, median of {1,2,3,4} = 2.5, one non-finite, no update ratio.
        Assert.Contains(
            "<tr><th scope=\"row\">w</th><td>5</td><td>3</td><td>4</td><td>1</td><td>4</td><td>2.5</td><td class=\"bad\">1</td><td>1235</td><td>\u2013</td></tr>",
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

        using JsonDocument data = Data(html);
        JsonElement loss = data.RootElement.GetProperty("loss");
        Assert.AreEqual(3, loss.GetProperty("seg").GetArrayLength());
        Assert.AreEqual("[[2,\"NaN\"],[5,\"+Inf\"]]", loss.GetProperty("nf").GetRawText());
    }

    [TestMethod]
    public void AllNaNRunStillRenders()
    {
        string html = Render(Run(Enumerable.Range(0, 5).Select(i => Step(i, double.NaN, ("w", double.NaN)))));
        Assert.DoesNotContain("<polyline", html);
        Assert.AreEqual(5, Regex.Matches(html, "class=\"nonfinite\"").Count);
        Assert.Contains("final loss NaN", html);
        Assert.Contains("verdict-failed", html);
    }

    [TestMethod]
    public void LongRunIsDownsampledButKeepsItsSpikeAndEveryIncidentStep()
    {
        const int n = 100_000, spikeAt = 54_321, incidentAt = 12_345;
        var run = Run(Enumerable.Range(0, n).Select(i => Step(i, i == spikeAt ? 10.0 : 1.0 + (0.5 * Math.Sin(i / 1000.0)))),
            anomalies: [Exploding(incidentAt)]);

        string html = Render(run, new ReportOptions { MaxChartPoints = 200 });

        string points = Regex.Match(html, "<polyline class=\"loss\" points=\"([^\"]*)\"").Groups[1].Value;
        double[] ys = points.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.IsLessThanOrEqualTo(201, ys.Length, "200 LTTB points and the incident step");

        // The spike is the maximum: with 5 % padding it sits at top + 0.05 / 1.1 of the 244 px plot height.
        double expectedSpikeY = 16 + (244 * 0.05 / 1.1);
        Assert.AreEqual(expectedSpikeY, ys.Min(), 0.01);

        List<(long Step, double Value)> kept = LossPoints(html);
        Assert.Contains((spikeAt, 10.0), kept);
        (long step, double value) = kept.Single(p => p.Step == incidentAt);
        Assert.AreEqual(1.0 + (0.5 * Math.Sin(incidentAt / 1000.0)), value, 1e-5, "the incident step's loss, exact to 6 digits");
        Assert.IsLessThan(200_000, html.Length);
    }

    [TestMethod]
    public void IncompleteRunShowsTheBanner()
    {
        string html = Render(Typical() with { IsComplete = false });
        Assert.Contains("id=\"incomplete-banner\"", html);
        Assert.Contains("Incomplete run log", html);
        Assert.Contains("verdict-warnings", html);
    }

    [TestMethod]
    public void EmptyRunRenders()
    {
        string html = Render(Run([]));
        Assert.Contains("No steps were recorded.", html);
        Assert.Contains("No per-parameter statistics were recorded.", html);
        Assert.Contains("No incidents", html);
    }

    [TestMethod]
    public void WriteToPathCreatesTheFolderAndFile()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), Guid.NewGuid().ToString("N"), "nested");
        string path = Path.Combine(folder, "report.html");

        HtmlReport.Write(Typical(), path);

        Assert.AreEqual(Render(Typical()), File.ReadAllText(path));
    }

    [TestMethod]
    public void InvalidOptionsAreRejectedBeforeAnyFileIsTouched()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".html");
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(Typical(), new ReportOptions { MaxChartPoints = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(Typical(), new ReportOptions { MaxHeatmapColumns = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HtmlReport.Write(Typical(), path, new ReportOptions { MaxIncidentDetails = -1 }));
        Assert.IsFalse(File.Exists(path));
    }
}
