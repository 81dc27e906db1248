using Microsoft.Playwright;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Tests;
using static Microsoft.Playwright.Assertions;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Browser.Tests;

[TestClass]
public sealed class ReportInBrowserTests
{
    public TestContext TestContext { get; set; } = null!;

    private string Folder()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "browser-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static DiagnosticsRun FaultyRun(string module = "block.act")
    {
        var steps = Enumerable.Range(0, 120).Select(i => Step(i, i == 80 ? double.NaN : 2.3 / (1 + (0.05 * i)), ("fc1.weight", 1.5 / (1 + i)), ("fc1.bias", 0.2), (module, i == 80 ? double.NaN : 0.05)))
            .Select(s => s with { Layers = s.Layers.Select(l => l with { UpdateRatio = 1e-3 }).ToList(), ElapsedMilliseconds = 4 });
        return Run(steps, name: "faulty run", anomalies: [Exploding(40), NaNGradient(80, module)]);
    }

    private async Task<ReportPage> OpenAsync(DiagnosticsRun run, string name)
    {
        string path = Path.Combine(Folder(), name + ".html");
        HtmlReport.Write(run, path);
        return await ReportPage.OpenAsync(path);
    }

    private static void AssertClean(ReportPage report)
    {
        Assert.IsEmpty(report.ConsoleProblems, string.Join(Environment.NewLine, report.ConsoleProblems));
        Assert.IsTrue(report.Requests.All(u => u.StartsWith("file://", StringComparison.Ordinal)), "non-file requests: " + string.Join(", ", report.Requests));
        Assert.IsEmpty(report.Dialogs);
    }

    private async Task ScreenshotAsync(ReportPage report, string name)
    {
        string path = Path.Combine(Folder(), name + ".png");
        await report.Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.AddResultFile(path);
    }

    [TestMethod]
    public async Task TheCurvatureSectionLoadsCleanlyUnderTheCsp()
    {
        // Sharpness 5 + 3k at steps 10k, lr 0.1: above 2/lr = 20 from step 60.
        var run = Run(Enumerable.Range(0, 100).Select(i => Step(i, 2.0 / (1 + (0.05 * i)), ("fc1.weight", 1.0)) with { LearningRate = 0.1 }), name: "sharp run") with
        {
            Curvature = Enumerable.Range(0, 10).SelectMany(k => new[]
            {
                new CurvatureRecord { Step = 10 * k, Quantity = CurvatureQuantity.TopEigenvalue, Value = 5 + (3 * k), Residual = 0.5, MatVecs = 20 },
                new CurvatureRecord { Step = 10 * k, Quantity = CurvatureQuantity.Trace, Value = 15 + (9 * k), StandardError = 2, MatVecs = 30 },
            }).ToList(),
        };
        await using ReportPage report = await OpenAsync(run, "curvature");

        AssertClean(report);
        await Expect(report.Page.Locator("#curvature")).ToBeVisibleAsync();
        await Expect(report.Page.Locator("#sharpness-chart circle.dot")).ToHaveCountAsync(10);
        await Expect(report.Page.Locator("#sharpness-chart polyline.eos")).ToHaveCountAsync(1);
        await Expect(report.Page.Locator("#trace-chart line.errorbar")).ToHaveCountAsync(10);
        // The stylesheet applies (its hash is in the CSP): the threshold line is dashed.
        string dash = await report.Page.Locator("#sharpness-chart polyline.eos").EvaluateAsync<string>("e => getComputedStyle(e).strokeDasharray");
        Assert.AreEqual("6px, 4px", dash);
        await ScreenshotAsync(report, "curvature");
    }

    [TestMethod]
    public async Task LoadsWithNoErrorsNoNetworkAndEverySectionVisible()
    {
        await using ReportPage report = await OpenAsync(FaultyRun(), "faulty");

        AssertClean(report);
        Assert.HasCount(1, report.Requests, "only the file itself");
        await Expect(report.Page.Locator("#verdict")).ToBeVisibleAsync();
        await Expect(report.Page.Locator("#verdict-label")).ToHaveTextAsync("Failed");
        await Expect(report.Page.Locator("#verdict-top > li")).ToHaveCountAsync(3);
        foreach (string id in new[] { "#loss", "#gradient-norms", "#anomalies", "#metadata", "#heatmap-canvas", "#timeline" })
        {
            await Expect(report.Page.Locator(id)).ToBeVisibleAsync();
        }

        // The script took over the chart and drew the heatmap (a canvas of one row per parameter).
        await Expect(report.Page.Locator("#loss-chart[data-interactive=true]")).ToHaveCountAsync(1);
        await Expect(report.Page.Locator("#layer-count")).ToHaveTextAsync("3 of 3 parameters");
        int height = await report.Page.EvaluateAsync<int>("document.getElementById('heatmap-canvas').height");
        Assert.IsGreaterThan(0, height);
        await ScreenshotAsync(report, "faulty-report");
    }

    [TestMethod]
    public async Task ClickingAnIncidentShowsItsDetail()
    {
        await using ReportPage report = await OpenAsync(FaultyRun(), "incidents");

        ILocator detail = report.Page.Locator("#incident-1 .incident-body");
        await Expect(detail).ToBeHiddenAsync();
        await report.Page.Locator("#incident-1 > summary").ClickAsync();
        await Expect(detail).ToBeVisibleAsync();
        await Expect(detail).ToContainTextAsync("block.act");
        await Expect(detail).ToContainTextAsync("SqrtBackward0");
        await Expect(detail).ToContainTextAsync("Clamp the input");

        // A marker on the timeline opens its incident too.
        ILocator first = report.Page.Locator("#incident-0 .incident-body");
        await Expect(first).ToBeHiddenAsync();
        await report.Page.Locator("a.incident-link[href='#incident-0']").ClickAsync();
        await Expect(first).ToBeVisibleAsync();
        await Expect(first).ToContainTextAsync("ExplodingGradient");
        AssertClean(report);
    }

    [TestMethod]
    public async Task XssModuleNameRendersAsTextAndRunsNothing()
    {
        await using ReportPage report = await OpenAsync(FaultyRun(Xss) with { Metadata = FaultyRun().Metadata with { RunName = Xss } }, "xss");

        await report.Page.Locator("#incident-1 > summary").ClickAsync();
        await report.Page.Locator("#layer-filter").FillAsync("img");
        await report.Page.WaitForTimeoutAsync(300);

        Assert.AreEqual(0, await report.Page.Locator("img").CountAsync(), "no img element may exist");
        await Expect(report.Page.Locator("h1")).ToHaveTextAsync("Training report: " + Xss);
        await Expect(report.Page.Locator("#parameter-table th[scope=row]").Nth(2)).ToHaveTextAsync(Xss);
        await Expect(report.Page.Locator("#incident-1 dd").Nth(3)).ToHaveTextAsync(Xss);
        await Expect(report.Page.Locator("#layer-count")).ToHaveTextAsync("1 of 3 parameters");
        AssertClean(report);
        await ScreenshotAsync(report, "xss-report");
    }

    [TestMethod]
    public async Task HoverShowsValuesAndDragZoomsOnSteps()
    {
        await using ReportPage report = await OpenAsync(FaultyRun(), "interactive");
        ILocator chart = report.Page.Locator("#loss-chart");
        LocatorBoundingBoxResult box = (await chart.BoundingBoxAsync())!;

        // The plot spans x = 64..744 of the 760-unit view box; hover in its middle.
        double Px(double viewX) => box.X + (viewX / 760 * box.Width);
        double y = box.Y + (box.Height / 2);
        await report.Page.Mouse.MoveAsync((float)Px(404), (float)y);
        await Expect(report.Page.Locator("#tooltip")).ToBeVisibleAsync();
        await Expect(report.Page.Locator("#tooltip")).ToContainTextAsync("loss");

        await report.Page.Mouse.MoveAsync((float)Px(100), (float)y);
        await report.Page.Mouse.DownAsync();
        await report.Page.Mouse.MoveAsync((float)Px(300), (float)y, new() { Steps = 5 });
        await report.Page.Mouse.UpAsync();
        await Expect(report.Page.Locator("#zoom-range")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^steps \\d+\u2013\\d+$"));
        await report.Page.Locator("#zoom-reset").ClickAsync();
        await Expect(report.Page.Locator("#zoom-range")).ToHaveTextAsync("all steps");

        await report.Page.Locator("#heat-metric").SelectOptionAsync("update");
        await report.Page.Locator("#heatmap-canvas").HoverAsync();
        await Expect(report.Page.Locator("#tooltip")).ToContainTextAsync("update/weight");
        AssertClean(report);
    }

    [TestMethod]
    public async Task MetricsAndLearningRateShowTheirValuesAndFollowTheZoom()
    {
        // The learning rate jumps x1000 at step 60; held-out loss and accuracy every 20 steps.
        DiagnosticsRun run = FaultyRun() with
        {
            Steps = FaultyRun().Steps.Select(s => s with { LearningRate = s.Step < 60 ? 0.01 : 10 }).ToList(),
            Metrics = Enumerable.Range(1, 6).SelectMany(k => new[] { Metric((20 * k) - 1, "validation/loss", 2.0 / k), Metric((20 * k) - 1, "validation/accuracy", k < 3 ? 0.9 : 0.1) }).ToList(),
        };
        await using ReportPage report = await OpenAsync(run, "metrics");

        await Expect(report.Page.Locator("#metric-chart-1[data-interactive=true]")).ToHaveCountAsync(1);
        await Expect(report.Page.Locator("#lr-chart[data-interactive=true]")).ToHaveCountAsync(1);
        await Expect(report.Page.Locator("#verdict-label")).ToHaveTextAsync("Failed");

        // Hovering the loss chart at step 59 (x = 64 + 680 * 59/119) names every value there, the learning rate included.
        LocatorBoundingBoxResult box = (await report.Page.Locator("#loss-chart").BoundingBoxAsync())!;
        await report.Page.Mouse.MoveAsync((float)(box.X + ((64 + (680 * 59 / 119.0)) / 760 * box.Width)), (float)(box.Y + (box.Height / 2)));
        ILocator tip = report.Page.Locator("#tooltip");
        await Expect(tip).ToContainTextAsync("step 59");
        await Expect(tip).ToContainTextAsync("validation/loss 0.6667");
        await Expect(tip).ToContainTextAsync("learning rate 0.01");

        // The accuracy chart's own hover, then a drag on it zooms every chart.
        ILocator accuracy = report.Page.Locator("#metric-chart-1");
        await accuracy.ScrollIntoViewIfNeededAsync();
        LocatorBoundingBoxResult small = (await accuracy.BoundingBoxAsync())!;
        double Px(double viewX) => small.X + (viewX / 760 * small.Width);
        float y = (float)(small.Y + (small.Height / 2));
        await report.Page.Mouse.MoveAsync((float)Px(64 + (680 * 99 / 119.0)), y);
        await Expect(tip).ToContainTextAsync("validation/accuracy 0.1");
        await report.Page.Mouse.DownAsync();
        await report.Page.Mouse.MoveAsync((float)Px(400), y, new() { Steps = 5 });
        await report.Page.Mouse.UpAsync();
        await Expect(report.Page.Locator("#zoom-range")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^steps \\d+\u2013\\d+$"));
        AssertClean(report);
        await report.Page.Locator("#zoom-reset").ClickAsync();
        await ScreenshotAsync(report, "metrics-report");
    }

    [TestMethod]
    public async Task ComparisonLoadsCleanly()
    {
        string path = Path.Combine(Folder(), "compare.html");
        HtmlReport.Compare([Typical(), FaultyRun() with { IsComplete = false }], path);
        await using ReportPage report = await ReportPage.OpenAsync(path);

        await Expect(report.Page.Locator("#runs")).ToBeVisibleAsync();
        await Expect(report.Page.Locator("#r1-incomplete-banner")).ToBeVisibleAsync();
        await report.Page.Locator("a.incident-link[href='#r1-incident-1']").ClickAsync();
        await Expect(report.Page.Locator("#r1-incident-1 .incident-body")).ToBeVisibleAsync();
        AssertClean(report);
        await ScreenshotAsync(report, "compare");
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task HundredThousandStepsByTwoHundredParametersOpenQuickly()
    {
        string path = Path.Combine(Folder(), "large.html");
        HtmlReport.Write(LargeRun.Create(100_000, 200), path);
        long bytes = new FileInfo(path).Length;

        // The first page of a fresh browser context pays for process start-up: open a small page first.
        await using (await OpenAsync(Typical(), "warm-up"))
        {
        }

        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            await using ReportPage report = await ReportPage.OpenAsync(path);
            AssertClean(report);
            times.Add(report.LoadTime.TotalMilliseconds);
            if (i == 0)
            {
                await Expect(report.Page.Locator("#layer-count")).ToHaveTextAsync("200 of 200 parameters");
                await ScreenshotAsync(report, "large-report");
            }
        }

        double median = times.Order().ElementAt(1);
        TestContext.WriteLine($"100,000 x 200 report: {bytes:N0} bytes; load to interactive in Chromium {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms (median {median:F0} ms)");

        // The target is 2 s; a shared CI machine gets headroom, the measured number is in the test output.
        Assert.IsLessThan(6000, median, $"median load time {median:F0} ms");
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task MillionStepReportStreamedFromALogOpensQuickly()
    {
        // A million steps, streamed from a schema-2 log into the bounded view model. The page's size does not grow with
        // the run, so 8 parameters keep the test quick; TDIAG_LONG_REPORT_LOG names a bigger log (the benchmarks' 1M x 200).
        string log = Environment.GetEnvironmentVariable("TDIAG_LONG_REPORT_LOG") is { Length: > 0 } given ? given : Path.Combine(Folder(), "million.jsonl");
        if (!File.Exists(log))
        {
            string[] names = Enumerable.Range(0, 8).Select(i => $"layer{i}.weight").ToArray();
            var random = new Random(5);
            using var writer = new RunLogWriter(log, new RunMetadata { RunName = "a million steps" });
            for (int s = 0; s < 1_000_000; s++)
            {
                double?[] g = names.Select(_ => (double?)(float)Math.Exp(random.NextDouble() - (2.0 * s / 1_000_000))).ToArray();
                writer.Write(new StepRecord { Step = s, Loss = 2.3 * Math.Exp(-3.0 * s / 1_000_000) + (0.05 * random.NextDouble()), Layers = new ParameterColumns(names, g) });
            }
        }

        string path = Path.Combine(Folder(), "million.html");
        ReportSummary summary = HtmlReport.WriteLogs([log], path);
        Assert.AreEqual(1_000_000L, summary.StepCount);
        await using (await OpenAsync(Typical(), "warm-up"))
        {
        }

        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            await using ReportPage report = await ReportPage.OpenAsync(path);
            AssertClean(report);
            times.Add(report.LoadTime.TotalMilliseconds);
        }

        double median = times.Order().ElementAt(1);
        TestContext.WriteLine($"1,000,000-step report: {new FileInfo(path).Length:N0} bytes; load to interactive in Chromium {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms (median {median:F0} ms)");
        Assert.IsLessThan(6000, median, $"median load time {median:F0} ms (target 2 s; headroom for a shared machine)");
    }
}
