using System.Diagnostics;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// <c>tdiag demo --fault X</c>, run as a user runs it (a process of its own, so that what libtorch writes to the native
/// standard error is seen): every fault, with and without <c>--mlnet</c>, ends with exit code 0 and a report, and libtorch
/// prints nothing: no create_graph reference-cycle warning, no anomaly-mode trace (it belongs in the incident).
/// </summary>
[TestClass]
public sealed class DemoConsoleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("none", false)]
    [DataRow("batchnorm", false)]
    [DataRow("lr", false)]
    [DataRow("data", false)]
    [DataRow("sqrt", false)]
    [DataRow("dead-relu", false)]
    [DataRow("lr-high", false)]
    [DataRow("lr-low", false)]
    [DataRow("frozen", false)]
    [DataRow("unscaled", false)]
    [DataRow("none", true)]
    [DataRow("lr", true)]
    [DataRow("frozen", true)]
    [DataRow("batchnorm", true)]
    [DataRow("data", true)]
    [DataRow("sqrt", true)]
    [DataRow("dead-relu", true)]
    [DataRow("lr-high", true)]
    [DataRow("lr-low", true)]
    [DataRow("unscaled", true)]
    public void TheDemoWithAFaultEndsCleanlyWithAReportAndLibTorchPrintsNothing(string fault, bool mlnet)
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-console-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tdiag.dll"));
        foreach (var arg in (string[])["demo", "--fault", fault, "--out", folder, .. mlnet ? ["--mlnet"] : Array.Empty<string>()])
            start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.IsTrue(child.WaitForExit(TimeSpan.FromMinutes(3)), "the demo did not finish within 3 minutes");
        string output = stdout.Result, error = stderr.Result;
        TestContext.WriteLine(output);

        Assert.AreEqual(0, child.ExitCode, error);
        Assert.IsTrue(File.Exists(Path.Combine(folder, "report.html")), "no report");
        Assert.DoesNotContain("create_graph", error, "libtorch's reference-cycle warning reached the console");
        Assert.DoesNotContain("Error detected in", error, "the anomaly-mode trace reached the console");
        Assert.DoesNotContain("Warning:", error);
        Assert.DoesNotContain("unexpected", error);
    }
}
