using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>The Curvature section and the edge-of-stability finding, on runs whose sharpness is known by construction.</summary>
[TestClass]
public sealed class CurvatureReportTests
{
    public TestContext TestContext { get; set; } = null!;

    private const double LearningRate = 0.1; // 2/lr = 20

    /// <summary>100 steps at lr 0.1; the top eigenvalue is measured every 10 steps as start + slope·k (k = 0..9), the trace as 3x it.</summary>
    private static DiagnosticsRun WithCurvature(double start, double slope, string? optimizer = null, double? learningRate = LearningRate)
    {
        var run = Typical();
        var steps = Enumerable.Range(0, 100).Select(i => Step(i, 2.0 / (1 + (0.05 * i)), ("fc1.weight", 1.0)) with { LearningRate = learningRate }).ToList();
        var curvature = Enumerable.Range(0, 10).SelectMany(k => new[]
        {
            new CurvatureRecord { Step = 10 * k, Quantity = CurvatureQuantity.TopEigenvalue, Value = start + (slope * k), Residual = 0.01, MatVecs = 20, Converged = true },
            new CurvatureRecord { Step = 10 * k, Quantity = CurvatureQuantity.Trace, Value = 3 * (start + (slope * k)), StandardError = 0.5, MatVecs = 30 },
        }).ToList();
        var tags = new Dictionary<string, string>();
        if (optimizer is not null)
            tags["optimizer"] = optimizer;
        return run with { Steps = steps, Curvature = curvature, Metadata = run.Metadata with { Tags = tags } };
    }

    private static List<Finding> EdgeOfStability(DiagnosticsRun run) => Rule.Findings(run, "edge-of-stability");

    [TestMethod]
    public void SharpnessCrossingTwoOverLrUnderSgdIsAWarningAtTheFirstStepAbove()
    {
        // 5, 8, 11, ..., 32: the first value above 20 is 23 at k = 6, step 60; above at k = 6..9 (4 of 10).
        var finding = EdgeOfStability(WithCurvature(5, 3, optimizer: "SGD")).Single();

        Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
        Assert.AreEqual(60L, finding.Step);
        StringAssert.Contains(finding.Title, "step 60");
        StringAssert.Contains(finding.Detail, "above 2/lr = 20");
        StringAssert.Contains(finding.Detail, "4 of 10 measured step(s)");
        StringAssert.Contains(finding.Detail, "at most 1.6 x 2/lr", "32 / 20");
        StringAssert.Contains(finding.Detail, "Lower the learning rate");
        StringAssert.Contains(finding.Detail, "Cohen et al. 2021");
        Assert.DoesNotContain("assumes plain SGD", finding.Detail);
        Assert.AreEqual(VerdictLevel.Warnings, FindingRules.Evaluate(WithCurvature(5, 3, optimizer: "SGD")).Level);
    }

    [TestMethod]
    public void SharpnessBelowTwoOverLrGivesNoFinding()
    {
        // 5 .. 19.4: always below 20.
        Assert.AreEqual(0, EdgeOfStability(WithCurvature(5, 1.6, optimizer: "SGD")).Count);
        Assert.AreEqual(0, EdgeOfStability(WithCurvature(19.99, 0)).Count, "just below the threshold");
    }

    [TestMethod]
    public void WithoutAnOptimizerTagTheFindingStatesItsAssumption()
    {
        var finding = EdgeOfStability(WithCurvature(5, 3)).Single();
        Assert.AreEqual(FindingSeverity.Warning, finding.Severity);
        StringAssert.Contains(finding.Detail, "assumes plain SGD");
    }

    [TestMethod]
    public void UnderAdamTheCrossingIsOnlyInformation()
    {
        var finding = EdgeOfStability(WithCurvature(5, 3, optimizer: "Adam")).Single();
        Assert.AreEqual(FindingSeverity.Info, finding.Severity);
        StringAssert.Contains(finding.Title, "does not apply");
        StringAssert.Contains(finding.Detail, "preconditioned");
    }

    [TestMethod]
    public void WithoutALearningRateThereIsNoThresholdAndNoFinding()
    {
        var run = WithCurvature(5, 3, learningRate: null);
        Assert.AreEqual(0, EdgeOfStability(run).Count);
        string html = Render(run);
        Assert.Contains("id=\"curvature\"", html);
        Assert.Contains("the edge-of-stability line 2/lr is not drawn", html);
        Assert.DoesNotContain("class=\"eos\"", html);
    }

    [TestMethod]
    public void TheSectionShowsSharpnessWithErrorBarsTheLineTwoOverLrAndTheTrace()
    {
        string html = Render(WithCurvature(5, 3, optimizer: "SGD"));
        string section = Regex.Match(html, "<section id=\"curvature\">.*?</section>", RegexOptions.Singleline).Value;
        TestContext.WriteLine(section[..Math.Min(section.Length, 3000)]);

        Assert.Contains("id=\"sharpness-chart\"", section);
        Assert.Contains("id=\"trace-chart\"", section);
        Assert.AreEqual(10, Regex.Matches(section, "class=\"sharpness-point dot\"").Count, "one dot per measured step");
        Assert.AreEqual(10, Regex.Matches(section, "class=\"trace-point dot\"").Count);
        Assert.AreEqual(20, Regex.Matches(section, "class=\"errorbar\"").Count);
        Assert.AreEqual(1, Regex.Matches(section, "<polyline class=\"eos\"").Count);
        Assert.Contains("<title>2/lr = 20 (edge of stability of gradient descent)</title>", section);
        Assert.Contains("<title>top eigenvalue: 32 \u00b1 0.01 at step 90</title>", section);
        Assert.Contains("<title>trace: 96 \u00b1 0.5 at step 90</title>", section);
        Assert.Contains("<tr><th scope=\"row\">60</th><td class=\"bad\">23</td>", section, "the first step above 2/lr is marked in the table");
        Assert.Contains("<tr><th scope=\"row\">50</th><td>20</td>", section, "20 is not above 20");
        Assert.DoesNotContain("style=", section, "no inline style: the page's CSP admits only its hashed stylesheet");
        Assert.DoesNotContain("http", section);
    }

    [TestMethod]
    public void TheSharpnessChartPlacesTheThresholdLineAtTwoOverLr()
    {
        string html = Render(WithCurvature(5, 3, optimizer: "SGD"));
        // The y of the 2/lr line equals the y of the dot whose value is 20 (step 50).
        string dot = Regex.Match(html, "<circle class=\"sharpness-point dot\" r=\"3\" cx=\"[^\"]+\" cy=\"([^\"]+)\"><title>top eigenvalue: 20 ").Groups[1].Value;
        string line = Regex.Match(html, "<polyline class=\"eos\" points=\"[^,]+,([^ ]+) ").Groups[1].Value;
        Assert.IsFalse(string.IsNullOrEmpty(dot));
        Assert.AreEqual(dot, line);
    }

    [TestMethod]
    public void AThresholdFarAboveEveryEstimateIsNamedInsteadOfSquashingTheChart()
    {
        // Sharpness 1 .. 1.9 (± 0.01), 2/lr = 20: more than 3x the largest estimate.
        string html = Render(WithCurvature(1, 0.1, optimizer: "SGD"));
        Assert.DoesNotContain("<polyline class=\"eos\"", html);
        Assert.Contains(">2/lr \u2265 20: above the chart (10.47x the largest estimate)</text>", html);
        Assert.AreEqual(0, EdgeOfStability(WithCurvature(1, 0.1, optimizer: "SGD")).Count);
    }

    [TestMethod]
    public void RunsWithoutCurvatureHaveNoSection()
    {
        string html = Render(Typical());
        Assert.DoesNotContain("id=\"curvature\"", html);
        Assert.AreEqual(0, EdgeOfStability(Typical()).Count);
    }

    [TestMethod]
    public void TheStreamedLogAndTheInMemoryRunGiveTheSameSectionAndFinding()
    {
        var run = WithCurvature(5, 3, optimizer: "SGD");
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl");
        using (var writer = new RunLogWriter(path, run.Metadata))
        {
            foreach (var step in run.Steps)
            {
                writer.Write(step);
                foreach (var c in run.Curvature.Where(c => c.Step == step.Step))
                    writer.Write(c);
            }
        }

        var streamed = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var summary = HtmlReport.WriteLogs([path], streamed);
        string fromLog = Regex.Match(streamed.ToString(), "<section id=\"curvature\">.*?</section>", RegexOptions.Singleline).Value;
        string fromRun = Regex.Match(Render(run), "<section id=\"curvature\">.*?</section>", RegexOptions.Singleline).Value;
        Assert.AreEqual(fromRun, fromLog);
        Assert.IsTrue(summary.Verdict.Findings.Any(f => f.Rule == "edge-of-stability" && f.Step == 60));
    }

    [TestMethod]
    public void TheLearningRateOfEachMeasuredStepSetsItsThreshold()
    {
        // lr 0.1 for steps < 50, then 0.01 (2/lr = 200): 23 at step 60 is then far below; nothing above anywhere.
        var run = WithCurvature(5, 3, optimizer: "SGD");
        run = run with { Steps = run.Steps.Select(s => s with { LearningRate = s.Step < 50 ? 0.1 : 0.01 }).ToList() };
        Assert.AreEqual(0, EdgeOfStability(run).Count);
        string html = Render(run);
        Assert.Contains("<title>2/lr = 200 (edge of stability of gradient descent)</title>", html);
    }
}
