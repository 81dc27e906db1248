using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Folding;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The report parses a version-2 log on a second thread (<see cref="PrefetchedRecords"/>): a damaged line deep in the
/// log still raises the reader's error naming that line, and a cut last line still gives the incomplete run, as the
/// single-threaded reader does.
/// </summary>
[TestClass]
public sealed class PrefetchedRecordsTests
{
    private static string WriteLog(int steps)
    {
        string path = Path.Combine(Path.GetTempPath(), $"tdiag-prefetch-{Guid.NewGuid():N}.jsonl");
        using var writer = new RunLogWriter(path, new RunMetadata { RunName = "prefetch" });
        for (int s = 0; s < steps; s++)
        {
            writer.Write(new StepRecord { Step = s, Loss = 1.0 / (s + 1), Layers = new ParameterColumns(["a", "b"], [0.5f, s % 7 == 0 ? 0.25f : 0.125f]) });
        }

        return path;
    }

    [TestMethod]
    public void A_damaged_line_deep_in_the_log_is_the_readers_error_naming_the_line()
    {
        string path = WriteLog(3000);
        try
        {
            List<string> lines = File.ReadAllLines(path).ToList();
            lines[2001] = "{\"kind\":\"step\",\"step\":2000,\"loss\":[}";
            File.WriteAllLines(path, lines);
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => HtmlReport.Summarize([path]));
            StringAssert.Contains(ex.Message, "damaged at line 2002");
            var inMemory = Assert.ThrowsExactly<InvalidDataException>(() => RunLogReader.Read(path));
            Assert.AreEqual(inMemory.Message, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void A_cut_last_line_gives_the_incomplete_run_with_every_step_before_it()
    {
        string path = WriteLog(3000);
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^10]);
            ReportSummary summary = HtmlReport.Summarize([path]);
            DiagnosticsRun run = RunLogReader.Read(path);
            Assert.IsFalse(summary.IsComplete);
            Assert.IsFalse(run.IsComplete);
            Assert.AreEqual(2999, summary.StepCount);
            Assert.AreEqual(run.Steps.Count, summary.StepCount);
            var streamed = new StringWriter();
            HtmlReport.WriteLogs([path], streamed);
            var fromRun = new StringWriter();
            HtmlReport.Write(run, fromRun);
            Assert.AreEqual(fromRun.ToString(), streamed.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
