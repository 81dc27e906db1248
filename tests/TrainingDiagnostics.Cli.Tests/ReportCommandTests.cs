using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Tests;

[TestClass]
public sealed class ReportCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    private string NewFolder()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static (int ExitCode, string Output, string Error) Tdiag(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static DiagnosticsRun SmallRun(string name, int rank = -1, double lossScale = 1, double? nanAt = null) => new()
    {
        Metadata = new RunMetadata
        {
            RunName = name,
            Tags = rank < 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["rank"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture), ["world size"] = "2" },
        },
        Steps = Enumerable.Range(0, 12).Select(i => new StepRecord
        {
            Step = i,
            Loss = nanAt == i ? double.NaN : lossScale * 2.0 / (1 + i),
            Layers = [new LayerStatistics { Name = "fc.weight", GradientNorm = lossScale * (1 + i), WeightNorm = 3 }],
        }).ToList(),
        Anomalies = nanAt is double step
            ? [new AnomalyEvent { Kind = AnomalyKind.NonFiniteLoss, Step = (long)step, Phase = AnomalyPhase.Forward, Message = "The loss is NaN." }]
            : [],
    };

    private string WriteLog(DiagnosticsRun run, string fileName)
    {
        string path = Path.Combine(NewFolder(), fileName);
        using var writer = new RunLogWriter(path, run.Metadata);
        foreach (StepRecord step in run.Steps)
        {
            writer.Write(step);
        }

        foreach (AnomalyEvent anomaly in run.Anomalies)
        {
            writer.Write(anomaly);
        }

        return path;
    }

    [TestMethod]
    public void ReportRendersOneRunAndSaysItsVerdict()
    {
        string log = WriteLog(SmallRun("one", nanAt: 5), "run.jsonl");
        string html = Path.Combine(NewFolder(), "out", "r.html");

        var (code, output, error) = Tdiag("report", log, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        Assert.AreEqual("", error);
        StringAssert.Contains(output, "verdict           Failed: Non-finite loss, forward pass, first at step 5");
        StringAssert.Contains(output, html);
        string text = File.ReadAllText(html);
        Assert.Contains("<title>Training report: one</title>", text);
        Assert.Contains("verdict-failed", text);
    }

    [TestMethod]
    public void ReportOnATruncatedLogRendersWithTheBanner()
    {
        string log = WriteLog(SmallRun("crashed"), "run.jsonl");
        string text = File.ReadAllText(log);
        File.WriteAllText(log, text[..(text.Length - 25)]); // cut the last line mid-way, as a crash would
        string html = Path.Combine(NewFolder(), "report.html");

        var (code, output, error) = Tdiag("report", log, "--output", html, "--title", "after the crash");

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, $"warning: '{log}' is incomplete");
        string report = File.ReadAllText(html);
        Assert.Contains("id=\"incomplete-banner\"", report);
        Assert.Contains("<title>after the crash</title>", report);
        Assert.Contains("11 steps recorded", report, "the 12th step was cut");
    }

    [TestMethod]
    public void MissingFileIsAnInputError()
    {
        string missing = Path.Combine(NewFolder(), "nope.jsonl");

        var (code, _, error) = Tdiag("report", missing);

        Assert.AreEqual(ExitCodes.InputError, code);
        StringAssert.StartsWith(error, $"tdiag: error: cannot find the run log '{missing}'");
        Assert.DoesNotContain("   at ", error, "no stack trace");
    }

    [TestMethod]
    [DataRow("this is not JSON\n", "is not a readable run log")]
    [DataRow("", "is empty")]
    [DataRow("{\"kind\":\"step\",\"step\":0,\"loss\":1}\n", "expected the header line")]
    public void CorruptFileIsAnInputError(string content, string expected)
    {
        string path = Path.Combine(NewFolder(), "bad.jsonl");
        File.WriteAllText(path, content);

        var (code, _, error) = Tdiag("report", path);

        Assert.AreEqual(ExitCodes.InputError, code, error);
        StringAssert.StartsWith(error, $"tdiag: error: '{path}' is not a readable run log");
        StringAssert.Contains(error, expected);
        Assert.DoesNotContain("   at ", error);
    }

    [TestMethod]
    public void DamagedLineInTheMiddleNamesTheLine()
    {
        string log = WriteLog(SmallRun("damaged"), "run.jsonl");
        var lines = File.ReadAllLines(log).ToList();
        lines[3] = lines[3][..10];
        File.WriteAllLines(log, lines);

        var (code, _, error) = Tdiag("compare", log, log);

        Assert.AreEqual(ExitCodes.InputError, code, error);
        StringAssert.Contains(error, "line 4");
    }

    [TestMethod]
    public void FolderAsInputIsAnInputError()
    {
        string folder = NewFolder();
        var (code, _, error) = Tdiag("report", folder);
        Assert.AreEqual(ExitCodes.InputError, code);
        StringAssert.Contains(error, "is a folder");
    }

    [TestMethod]
    public void UnwritableReportIsAnOutputError()
    {
        string log = WriteLog(SmallRun("one"), "run.jsonl");
        string blocker = Path.Combine(NewFolder(), "file");
        File.WriteAllText(blocker, "a file where a folder should be");

        var (code, _, error) = Tdiag("report", log, "-o", Path.Combine(blocker, "report.html"));

        Assert.AreEqual(ExitCodes.OutputError, code, error);
        StringAssert.StartsWith(error, "tdiag: error: cannot write the report");
    }

    [TestMethod]
    public void SeveralRunsBecomeOneSideBySideReport()
    {
        string a = WriteLog(SmallRun("baseline"), "a.jsonl"), b = WriteLog(SmallRun("higher lr", lossScale: 3), "b.jsonl");
        string html = Path.Combine(NewFolder(), "both.html");

        var (code, output, error) = Tdiag("report", a, b, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "baseline          Healthy");
        string text = File.ReadAllText(html);
        Assert.Contains("<title>Comparison: baseline vs higher lr</title>", text);
        Assert.Contains("<section id=\"runs\">", text);
    }

    [TestMethod]
    public void PerRankLogsOfOneRunAreMergedByRank()
    {
        // Rank 1 has a NaN loss at step 4 and twice the gradient norms: the merged run keeps both (NaN and max win).
        string r1 = WriteLog(SmallRun("ddp", rank: 1, lossScale: 2, nanAt: 4), "rank1.jsonl");
        string r0 = WriteLog(SmallRun("ddp", rank: 0), "rank0.jsonl");
        string html = Path.Combine(NewFolder(), "ddp.html");

        var (code, output, error) = Tdiag("report", r1, r0, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "merged 2 per-rank logs of 'ddp' (ranks 0, 1)");
        string text = File.ReadAllText(html);
        Assert.Contains("<title>Training report: ddp</title>", text);
        Assert.Contains("<dt>ranks</dt><dd>0, 1</dd>", text);
        Assert.Contains("[rank 1] The loss is NaN.", text);

        // Step 2: loss mean of 2/3 and 4/3 = 1; gradient norm max of 3 and 6 = 6 (last step 11: max of 12 and 24 = 24).
        using var data = JsonDocument.Parse(Regex.Match(text, "<script type=\"application/json\" id=\"report-data\">(.*?)</script>").Groups[1].Value);
        JsonElement segments = data.RootElement.GetProperty("loss").GetProperty("seg");
        Assert.AreEqual(1.0, segments[0][1][2].GetDouble(), 1e-6);
        Assert.AreEqual("[[4,\"NaN\"]]", data.RootElement.GetProperty("loss").GetProperty("nf").GetRawText());
        Assert.Contains("<tr><th scope=\"row\">fc.weight</th><td>12</td><td>2</td><td>24</td>", text);
    }

    [TestMethod]
    public void LogsThatAreNotDistinctRanksOfOneRunAreNotMerged()
    {
        string a = WriteLog(SmallRun("ddp", rank: 0), "a.jsonl"), b = WriteLog(SmallRun("ddp", rank: 0, lossScale: 2), "b.jsonl");
        string c = WriteLog(SmallRun("other", rank: 1), "c.jsonl");
        string html = Path.Combine(NewFolder(), "r.html");

        var (sameRank, output, error) = Tdiag("report", a, b, "-o", html);
        Assert.AreEqual(ExitCodes.Success, sameRank, error);
        Assert.DoesNotContain("merged", output);
        Assert.Contains("<title>Comparison: ddp vs ddp</title>", File.ReadAllText(html));

        var (otherName, output2, _) = Tdiag("report", a, c, "-o", html);
        Assert.AreEqual(ExitCodes.Success, otherName);
        Assert.DoesNotContain("merged", output2);
    }

    private static DiagnosticsRun RankRun(int rank, int worldSize, double accuracy, double lossScale = 1) => SmallRun("ddp", lossScale: lossScale) with
    {
        Metadata = new RunMetadata { RunName = "ddp", Rank = rank, WorldSize = worldSize },
        Metrics = [new MetricRecord { Step = 11, Name = "validation/accuracy", Value = accuracy }],
    };

    private string WriteLogWithMetrics(DiagnosticsRun run, string fileName)
    {
        string path = WriteLog(run, fileName);
        using var writer = new StreamWriter(path, append: true);
        foreach (MetricRecord metric in run.Metrics)
        {
            // One metric line as the monitor writes it; the oracle is the plain JSON, not RunLogWriter.
            writer.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"kind\":\"metric\",\"step\":{metric.Step},\"name\":\"{metric.Name}\",\"value\":{metric.Value}}}"));
        }

        return path;
    }

    [TestMethod]
    public void PerRankLogsAreMergedByTheRankInTheirMetadata()
    {
        // No tags at all: the ranks come from RunMetadata.Rank. Rank 1's norms are twice rank 0's; accuracies 0.8 and 0.9.
        string r0 = WriteLogWithMetrics(RankRun(0, 2, 0.8), "rank0.jsonl"), r1 = WriteLogWithMetrics(RankRun(1, 2, 0.9, lossScale: 2), "rank1.jsonl");
        string html = Path.Combine(NewFolder(), "ddp.html");

        var (code, output, error) = Tdiag("report", r1, r0, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "merged 2 per-rank logs of 'ddp' (ranks 0, 1)");
        Assert.DoesNotContain("warning", output);
        string text = File.ReadAllText(html);
        Assert.Contains("<dt>World size</dt><dd>2</dd>", text);
        Assert.Contains("<dt>ranks</dt><dd>0, 1</dd>", text);
        Assert.DoesNotContain("<dt>Rank</dt>", text, "the merged run is every rank");
        Assert.Contains("<tr><th scope=\"row\">fc.weight</th><td>12</td><td>2</td><td>24</td>", text, "largest norm over the ranks");
        Assert.Contains("last 0.85 at step 11", text, "the mean of 0.8 and 0.9");
    }

    [TestMethod]
    public void MetadataRanksAndOldRankTagsMixAndMissingRanksAreNamed()
    {
        // Rank 0 from the metadata (world size 4), rank 2 from an older log's tags: one run, two of its four ranks.
        string r0 = WriteLog(RankRun(0, 4, 0.8), "rank0.jsonl");
        string r2 = WriteLog(SmallRun("ddp") with
        {
            Metadata = new RunMetadata { RunName = "ddp", Tags = new Dictionary<string, string> { ["rank"] = "2", ["world size"] = "4" } },
        }, "rank2.jsonl");
        string html = Path.Combine(NewFolder(), "ddp.html");

        var (code, output, error) = Tdiag("report", r0, r2, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "merged 2 per-rank logs of 'ddp' (ranks 0, 2)");
        StringAssert.Contains(output, "warning: the world size is 4 but only 2 rank logs were given");

        // A rank at or above the world size is not a rank of that run: side by side instead.
        string bad = WriteLog(RankRun(4, 4, 0.5), "rank4.jsonl");
        var (_, badOutput, _) = Tdiag("report", r0, bad, "-o", html);
        Assert.DoesNotContain("merged", badOutput);
    }

    [TestMethod]
    public void CompareWritesTwoRunsSideBySide()
    {
        string a = WriteLog(SmallRun("a"), "a.jsonl"), b = WriteLog(SmallRun("b", nanAt: 3), "b.jsonl");
        string html = Path.Combine(NewFolder(), "compare.html");

        var (code, output, error) = Tdiag("compare", a, b, "-o", html);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "a                 Healthy");
        StringAssert.Contains(output, "b                 Failed");
        StringAssert.Contains(output, html);
        string text = File.ReadAllText(html);
        Assert.Contains("<title>Comparison: a vs b</title>", text);
        Assert.Contains("id=\"r1-incident-0\"", text);
    }

    [TestMethod]
    public void CompareNeedsTwoRuns()
    {
        string a = WriteLog(SmallRun("a"), "a.jsonl");
        var (code, _, error) = Tdiag("compare", a);
        Assert.AreEqual(ExitCodes.UsageError, code);
        StringAssert.StartsWith(error, "tdiag: ");
    }

    [TestMethod]
    public void HelpListsEveryCommandAndOption()
    {
        var (code, output, _) = Tdiag("--help");
        Assert.AreEqual(ExitCodes.Success, code);
        foreach (string command in new[] { "demo", "report", "compare" })
        {
            Assert.Contains(command, output);
        }

        var (_, demo, _) = Tdiag("demo", "--help");
        foreach (string option in new[] { "--fault", "--epochs", "--out", "--open" })
        {
            Assert.Contains(option, demo);
        }

        var (_, report, _) = Tdiag("report", "--help");
        Assert.Contains("--output", report);
        Assert.Contains("-o", report);
    }
}
