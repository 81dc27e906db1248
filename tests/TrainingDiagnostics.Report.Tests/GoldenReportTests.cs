using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The report and the comparison, byte for byte, against golden files written before the report was reshaped (fold, then
/// view, then render) and before its parser was rewritten for speed: every fault log of <c>tdiag demo</c> (and its ML.NET
/// run) as the demo wrote it, a log cut mid-line (<c>cut-lr</c>), a version-1 log (<c>v1-sqrt</c>), a log holding every
/// record kind (<c>every-kind</c>), two comparisons of demo logs, and a long synthetic run (downsampled lines, merged heatmap
/// columns, incidents beyond the detailed ones) alone and compared. Each log is rendered streamed and in memory, and the two
/// pages must be the same. The only text normalized away is the library's version in the footer, which a CI pack changes.
/// </summary>
/// <remarks>
/// The goldens change only when what the report shows changes on purpose: then run these tests once with
/// <c>TDIAG_UPDATE_GOLDEN=1</c>, which rewrites <c>Golden/html</c> in the source tree, and review the diff.
/// </remarks>
[TestClass]
public sealed partial class GoldenReportTests
{
    private const string UpdateVariable = "TDIAG_UPDATE_GOLDEN";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("none")]
    [DataRow("batchnorm")]
    [DataRow("lr")]
    [DataRow("data")]
    [DataRow("sqrt")]
    [DataRow("dead-relu")]
    [DataRow("lr-high")]
    [DataRow("lr-low")]
    [DataRow("overfit")]
    [DataRow("frozen")]
    [DataRow("unscaled")]
    [DataRow("mlnet")]
    [DataRow("cut-lr")]
    [DataRow("v1-sqrt")]
    [DataRow("every-kind")]
    public void TheReportOfEachDemoLogIsItsGolden(string name)
    {
        string log = Log(name);

        var streamed = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReport.WriteLogs([log], streamed);
        var inMemory = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReport.Write(RunLogReader.Read(log), inMemory);

        AssertGolden("report-" + name, streamed.ToString());
        Assert.AreEqual(streamed.ToString(), inMemory.ToString(), "the in-memory run renders as its log does");
    }

    [TestMethod]
    [DataRow("compare-none-lr", new[] { "none", "lr" })]
    [DataRow("compare-none-sqrt-overfit-mlnet", new[] { "none", "sqrt", "overfit", "mlnet" })]
    public void TheComparisonOfDemoLogsIsItsGolden(string golden, string[] names)
    {
        string[] logs = names.Select(Log).ToArray();
        var streamed = new StringWriter(CultureInfo.InvariantCulture);
        IReadOnlyList<ReportSummary> summaries = HtmlReport.CompareLogs(logs, streamed);

        AssertGolden(golden, streamed.ToString());
        Assert.AreEqual(streamed.ToString(), TestRuns.RenderCompare(logs.Select(RunLogReader.Read).ToList()), "the in-memory runs compare as their logs do");
        CollectionAssert.AreEqual(names.Select(n => RunLogReader.Read(Log(n)).Metadata.RunName).ToArray(), summaries.Select(s => s.Metadata.RunName).ToArray());
    }

    [TestMethod]
    public void ALongRunAndItsComparisonAreTheirGoldens()
    {
        // Under a culture with a decimal comma: the page must not change.
        using var culture = new CultureScope("de-DE");
        DiagnosticsRun synthetic = LongSynthetic();
        DiagnosticsRun large = LargeRun.Create(6_000, 8);

        AssertGolden("report-long-synthetic", TestRuns.Render(synthetic));
        AssertGolden("report-long-large", TestRuns.Render(large));
        AssertGolden("compare-long", TestRuns.RenderCompare([synthetic, large]));
    }

    /// <summary>
    /// 6,000 steps with a cosine learning rate (its line is downsampled), a metric every step for 2,500 steps, 260
    /// incidents (more than the 200 detailed), and curvature every 50 steps.
    /// </summary>
    internal static DiagnosticsRun LongSynthetic()
    {
        const int steps = 6_000;
        var synthetic = new SyntheticRun(7) { Steps = steps, LearningRateAt = t => 1e-4 + (0.05 * (1 + Math.Cos(Math.PI * t / steps)) / 2) };
        for (int k = 0; k < 260; k++)
        {
            synthetic.Anomalies.Add(k % 3 == 0 ? TestRuns.NaNGradient(100 + (20 * k)) : TestRuns.Exploding(100 + (20 * k)));
        }

        for (int t = 0; t < steps; t += 50)
        {
            synthetic.Curvature.Add(new CurvatureRecord { Step = t, Quantity = CurvatureQuantity.TopEigenvalue, Value = 10 + (t / 100.0), Residual = 0.5, MatVecs = 20 });
            synthetic.Curvature.Add(new CurvatureRecord { Step = t, Quantity = CurvatureQuantity.Trace, Value = 300 - (t / 50.0), StandardError = 12, MatVecs = 10 });
        }

        for (int t = 0; t < 2_500; t++)
        {
            synthetic.ExtraMetrics.Add(TestRuns.Metric(t, "throughput", 1000 + (100 * Math.Sin(t / 40.0))));
        }

        return synthetic.Build();
    }

    /// <summary>The demo log <paramref name="name"/>, decompressed once into this run's results folder.</summary>
    internal string Log(string name)
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "golden-logs-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name + ".jsonl");
        if (!File.Exists(path))
        {
            using var source = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Golden", "logs", name + ".jsonl.gz")), CompressionMode.Decompress);
            string temporary = path + "." + Guid.NewGuid().ToString("N");
            using (FileStream target = File.Create(temporary))
            {
                source.CopyTo(target);
            }

            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    /// <summary>Asserts that <paramref name="html"/> is the golden <paramref name="name"/> (or rewrites it with <c>TDIAG_UPDATE_GOLDEN=1</c>).</summary>
    internal static void AssertGolden(string name, string html)
    {
        string actual = Normalize(html);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            string target = Path.Combine(SourceFolder(), "Golden", "html", name + ".html.gz");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var file = new GZipStream(File.Create(target), CompressionLevel.SmallestSize);
            file.Write(Encoding.UTF8.GetBytes(actual));
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "html", name + ".html.gz");
        Assert.IsTrue(File.Exists(path), $"No golden file {path}; run the tests once with {UpdateVariable}=1 to write it.");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
        string expected = reader.ReadToEnd();
        if (expected != actual)
        {
            int at = 0;
            while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
            {
                at++;
            }

            int from = Math.Max(0, at - 200);
            Assert.Fail($"{name}: the page differs from its golden at character {at} of {expected.Length} (now {actual.Length}).\n" +
                $"golden: ...{expected[from..Math.Min(expected.Length, at + 200)]}\nnow:    ...{actual[from..Math.Min(actual.Length, at + 200)]}");
        }
    }

    private static string Normalize(string html) => FooterVersion().Replace(html, "Generated by TrainingDiagnostics VERSION.");

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [GeneratedRegex(@"Generated by TrainingDiagnostics [^ <]*\.(?= This file)")]
    private static partial Regex FooterVersion();
}
