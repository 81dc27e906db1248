using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// The streaming report (one pass over the log into a bounded view model) against the in-memory path (the whole log read
/// into a <see cref="DiagnosticsRun"/> first), on every planted fault of the demo: same verdict, same findings, same
/// incident list; in fact the same HTML, byte for byte.
/// </summary>
[TestClass]
public sealed class StreamingReportTests
{
    public TestContext TestContext { get; set; } = null!;

    private string NewFolder() => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-" + Guid.NewGuid().ToString("N"));

    [TestMethod]
    [DataRow("none")]
    [DataRow("batchnorm")]
    [DataRow("lr")]
    [DataRow("data")]
    [DataRow("sqrt")]
    public void StreamingGivesTheInMemoryVerdictFindingsAndIncidents(string fault)
    {
        string folder = NewFolder();
        int code = TdiagApp.Run(["demo", "--fault", fault, "--epochs", "3", "--out", folder], new StringWriter(), new StringWriter());
        Assert.AreEqual(ExitCodes.Success, code);
        string log = Path.Combine(folder, DemoCommand.RunLogFileName);

        DiagnosticsRun run = RunLogReader.Read(log);
        RunVerdict inMemory = FindingRules.Evaluate(run);
        ReportSummary streamed = HtmlReport.Summarize([log]);

        Assert.AreEqual(inMemory.Level, streamed.Verdict.Level);
        CollectionAssert.AreEqual(inMemory.Findings.ToArray(), streamed.Verdict.Findings.ToArray());
        Assert.AreEqual(run.Anomalies.Count, streamed.IncidentCount);
        Assert.AreEqual(run.Steps.Count, streamed.StepCount);

        var fromRun = new StringWriter();
        HtmlReport.Write(run, fromRun);
        var fromLog = new StringWriter();
        HtmlReport.WriteLogs([log], fromLog);
        Assert.AreEqual(fromRun.ToString(), fromLog.ToString(), "the whole report, incident list included");
    }

    [TestMethod]
    public void StreamedRankLogsGiveTheInMemoryMerge()
    {
        // Two ranks of one run: the demo's log, and a copy with its rank and a NaN gradient on one step.
        string folder = NewFolder();
        Assert.AreEqual(ExitCodes.Success, TdiagApp.Run(["demo", "--epochs", "2", "--out", folder], new StringWriter(), new StringWriter()));
        DiagnosticsRun demo = RunLogReader.Read(Path.Combine(folder, DemoCommand.RunLogFileName));
        string[] paths = new string[2];
        for (int rank = 0; rank < 2; rank++)
        {
            paths[rank] = Path.Combine(folder, $"rank{rank}.jsonl");
            using var writer = new RunLogWriter(paths[rank], demo.Metadata with { Rank = rank, WorldSize = 2 });
            foreach (StepRecord step in demo.Steps)
            {
                writer.Write(rank == 1 && step.Step == 7
                    ? step with { Loss = step.Loss * 2, Layers = step.Layers.Select((l, k) => k == 1 ? l with { GradientNorm = double.NaN } : l).ToList() }
                    : step);
            }

            foreach (MetricRecord metric in demo.Metrics)
            {
                writer.Write(metric with { Value = metric.Value + rank });
            }
        }

        DiagnosticsRun merged = Runs.RankMerge.Merge(paths.Select(RunLogReader.Read).ToList());
        var inMemory = new StringWriter();
        HtmlReport.Write(merged, inMemory);
        var streamed = new StringWriter();
        ReportSummary summary = HtmlReport.WriteLogs(paths, streamed);

        Assert.AreEqual(FindingRules.Evaluate(merged).Level, summary.Verdict.Level);
        CollectionAssert.AreEqual(FindingRules.Evaluate(merged).Findings.ToArray(), summary.Verdict.Findings.ToArray());
        Assert.AreEqual(inMemory.ToString(), streamed.ToString());
    }
}
