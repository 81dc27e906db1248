using System.Diagnostics;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// Nothing lost: a training process killed mid-run leaves a run log that loses at most its last step, and the report still
/// renders what is there. The child is the real tdiag, started as its own process and killed with SIGKILL.
/// </summary>
[TestClass]
public sealed class CrashSafetyTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void AKilledTrainingProcessLosesAtMostItsLastStepAndItsLogStillRenders()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-kill-" + Guid.NewGuid().ToString("N"));
        string runLog = Path.Combine(folder, "run.jsonl");
        string tdiag = Path.Combine(AppContext.BaseDirectory, "tdiag.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { tdiag, "demo", "--epochs", "10000", "--out", folder })
            start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        // Wait until the child has logged a few hundred steps, then kill it mid-run, without warning.
        int stepsSeen = 0;
        var clock = Stopwatch.StartNew();
        while (stepsSeen < 300 && clock.Elapsed < TimeSpan.FromMinutes(3) && !child.HasExited)
        {
            Thread.Sleep(50);
            stepsSeen = File.Exists(runLog) ? CompleteStepLines(runLog) : 0;
        }
        Assert.IsFalse(child.HasExited, "the child was still training when killed");
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        Assert.IsTrue(stepsSeen >= 300, $"the child logged {stepsSeen} steps in {clock.Elapsed.TotalSeconds:F0} s");

        var run = RunLogReader.Read(runLog);
        TestContext.WriteLine($"seen before the kill: {stepsSeen} steps; read after: {run.Steps.Count}; complete: {run.IsComplete}");
        Assert.IsTrue(run.Steps.Count >= stepsSeen, "every step on disk before the kill is still there");
        Assert.IsTrue(run.Steps.Select(s => s.Step).SequenceEqual(Enumerable.Range(0, run.Steps.Count).Select(i => (long)i)), "no step is missing in between");
        Assert.AreEqual(CompleteStepLines(runLog), run.Steps.Count, "the reader returns every complete step line");

        string report = Path.Combine(folder, "after-crash.html");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(["report", runLog, "-o", report], output, error);
        Assert.AreEqual(ExitCodes.Success, code, error.ToString());
        StringAssert.Contains(File.ReadAllText(report), "<html");
    }

    private static int CompleteStepLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        int end = text.LastIndexOf('\n');
        if (end < 0)
            return 0;
        return text[..end].Split('\n').Count(l => l.Contains("\"kind\":\"step\"", StringComparison.Ordinal));
    }
}
