using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

[TestClass]
public sealed class ScaleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void HundredThousandStepsByTwoHundredParametersFitInFiveMegabytes()
    {
        DiagnosticsRun run = LargeRun.Create(100_000, 200);
        var text = new StringWriter();

        HtmlReport.Write(run, text);

        string html = text.ToString();
        long bytes = System.Text.Encoding.UTF8.GetByteCount(html);
        TestContext.WriteLine($"100,000 steps x 200 parameters: {bytes:N0} bytes");
        Assert.IsLessThanOrEqualTo(5_000_000L, bytes);

        // Every incident step is kept exactly: in the loss line, or among the non-finite markers when its loss was NaN.
        List<(long Step, double Value)> kept = TestRuns.LossPoints(html);
        using var data = TestRuns.Data(html);
        long[] marked = data.RootElement.GetProperty("loss").GetProperty("nf").EnumerateArray().Select(m => m[0].GetInt64()).ToArray();
        foreach (AnomalyEvent incident in run.Anomalies)
        {
            Assert.IsTrue(kept.Any(p => p.Step == incident.Step) || marked.Contains(incident.Step), $"incident step {incident.Step}");
        }

        Assert.Contains(run.Steps.Count / 2L, marked, "the NaN loss step");

        Assert.AreEqual(200, Regex.Matches(html, "<tr><th scope=\"row\">").Count);
        Assert.Contains("verdict-failed", html);
    }
}
