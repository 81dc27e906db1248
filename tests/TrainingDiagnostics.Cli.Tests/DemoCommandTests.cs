using System.Text.Json;
using TrainingDiagnostics.Cli;
using TrainingDiagnostics.Cli.Commands;

namespace TrainingDiagnostics.Cli.Tests;

[TestClass]
public sealed class DemoCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    private string NewFolder() => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-" + Guid.NewGuid().ToString("N"));

    private static (int ExitCode, string Output, string Error) Tdiag(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // Read with a generic JSON parser, not with RunLogReader: an oracle independent of the code under test.
    private static List<JsonElement> Steps(string runLog) =>
        File.ReadAllLines(runLog)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "step")
            .ToList();

    [TestMethod]
    public void DemoWritesARunLogAndAReport()
    {
        string folder = NewFolder();

        var (code, output, error) = Tdiag("demo", "--epochs", "1", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        Assert.AreEqual("", error);
        string runLog = Path.Combine(folder, DemoCommand.RunLogFileName);
        string report = Path.Combine(folder, DemoCommand.ReportFileName);
        Assert.IsTrue(File.Exists(runLog));
        Assert.IsTrue(File.Exists(report));
        Assert.Contains(runLog, output);
        Assert.Contains(report, output);

        string[] lines = File.ReadAllLines(runLog);
        using (var header = JsonDocument.Parse(lines[0]))
        {
            Assert.AreEqual("header", header.RootElement.GetProperty("kind").GetString());
            Assert.AreEqual(2, header.RootElement.GetProperty("schemaVersion").GetInt32());
            Assert.AreEqual((64 * 32) + 32 + (32 * 10) + 10, header.RootElement.GetProperty("parameterCount").GetInt64());
        }

        // 1797 images, 20 % (359) held out: 1438 training images in batches of 64 is 23 steps per epoch.
        List<JsonElement> steps = Steps(runLog);
        Assert.HasCount(23, steps);
        double[] losses = steps.Select(s => s.GetProperty("loss").GetDouble()).ToArray();
        Assert.IsTrue(losses.All(double.IsFinite), string.Join(", ", losses));
        Assert.AreEqual(Math.Log(10), losses[0], 0.3, "an untrained 10-class classifier starts near ln 10");
        Assert.IsLessThan(losses.Take(5).Average(), losses.TakeLast(5).Average(), "the loss should fall within one epoch");
        Assert.IsTrue(steps.Select(s => s.GetProperty("step").GetInt64()).SequenceEqual(Enumerable.Range(0, 23).Select(i => (long)i)));

        // Schema version 2: the names once, in a parameters line; each step's values as arrays in that order.
        List<JsonElement> parameters = Records(runLog, "parameters");
        Assert.HasCount(1, parameters, "the names are written once");
        string[] names = parameters[0].GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
        CollectionAssert.AreEqual(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, names);
        foreach (JsonElement step in steps)
        {
            double[] grads = step.GetProperty("gradientNorms").EnumerateArray().Select(g => g.GetDouble()).ToArray();
            Assert.HasCount(4, grads);
            Assert.IsTrue(grads.All(g => double.IsFinite(g) && g > 0), step.ToString());
            if (step.TryGetProperty("weightNorms", out JsonElement weights))
            {
                Assert.IsTrue(weights.EnumerateArray().All(w => w.GetDouble() > 0), step.ToString());
            }
        }

        Assert.IsTrue(steps[0].GetProperty("weightNorms").EnumerateArray().All(w => w.ValueKind == JsonValueKind.Number), "the monitor measures weights at step 0");

        string html = File.ReadAllText(report);
        Assert.Contains("<section id=\"loss\">", html);
        Assert.Contains("<polyline class=\"loss\"", html);
        Assert.Contains("<th scope=\"row\">fc2.bias</th>", html);
        Assert.DoesNotContain("incomplete-banner", html);

        // Curvature on the logarithmic grid: steps 0..10, 12, 15, 19 of the 23, an eigenvalue and a trace each, within the demo's budget.
        List<JsonElement> curvature = Records(runLog, "curvature");
        long[] measured = curvature.Select(c => c.GetProperty("step").GetInt64()).Distinct().ToArray();
        Assert.IsGreaterThanOrEqualTo(11, measured.Length, string.Join(", ", measured));
        Assert.IsTrue(measured.All(s => s < 23));
        Assert.HasCount(2 * measured.Length, curvature);
        Assert.IsTrue(curvature.All(c => c.GetProperty("matVecs").GetInt32() <= 20));
        Assert.IsTrue(curvature.Where(c => c.GetProperty("quantity").GetString() == "TopEigenvalue").All(c => c.GetProperty("value").GetDouble() > 0),
            "a cross-entropy loss near its start has positive sharpness");
        Assert.Contains("<section id=\"curvature\">", html);
        Assert.Contains("id=\"sharpness-chart\"", html);
        // Adam's learning rate is recorded, so the chart states 2/lr; at lr 0.01 it is 200, far above the demo's sharpness,
        // so the chart names it in a note instead of drawing a line that would flatten the estimates.
        Assert.Contains("<text class=\"eos-note\"", html);
        Assert.Contains("2/lr ≥ 200", html);
    }

    [TestMethod]
    public void ACrashedDemoLogStillRendersWithTheBanner()
    {
        string folder = NewFolder();
        Assert.AreEqual(ExitCodes.Success, Tdiag("demo", "--epochs", "1", "--out", folder).ExitCode);
        string runLog = Path.Combine(folder, DemoCommand.RunLogFileName);

        // Simulate a crash mid-write: drop the final newline and half of the last line.
        string text = File.ReadAllText(runLog);
        int lastLineStart = text.LastIndexOf('\n', text.Length - 2) + 1;
        File.WriteAllText(runLog, text[..(lastLineStart + ((text.Length - lastLineStart) / 2))]);

        Model.DiagnosticsRun run = Model.RunLogReader.Read(runLog);
        // The last line was the epoch's held-out accuracy: every step and the held-out loss before it survive.
        Assert.IsFalse(run.IsComplete);
        Assert.HasCount(23, run.Steps);
        Assert.AreEqual("validation/loss", run.Metrics.Single(m => m.Name.StartsWith("validation/", StringComparison.Ordinal)).Name);

        var html = new StringWriter();
        Report.HtmlReport.Write(run, html);
        Assert.Contains("id=\"incomplete-banner\"", html.ToString());
    }

    [TestMethod]
    public void SameSeedGivesTheSameLosses()
    {
        string a = NewFolder(), b = NewFolder();
        Assert.AreEqual(ExitCodes.Success, Tdiag("demo", "--epochs", "1", "--out", a).ExitCode);
        Assert.AreEqual(ExitCodes.Success, Tdiag("demo", "--epochs", "1", "--out", b).ExitCode);

        double[] la = Steps(Path.Combine(a, DemoCommand.RunLogFileName)).Select(s => s.GetProperty("loss").GetDouble()).ToArray();
        double[] lb = Steps(Path.Combine(b, DemoCommand.RunLogFileName)).Select(s => s.GetProperty("loss").GetDouble()).ToArray();
        Assert.HasCount(la.Length, lb);
        for (int i = 0; i < la.Length; i++)
        {
            Assert.AreEqual(la[i], lb[i], 1e-5, $"step {i}");
        }
    }

    [TestMethod]
    [DataRow("demo", "--epochs", "0")]
    [DataRow("demo", "--epochs", "many")]
    [DataRow("demo", "--no-such-option")]
    [DataRow("no-such-command")]
    [DataRow()]
    public void UsageErrorsExitWithTwoAndAMessage(params string[] args)
    {
        var (code, _, error) = Tdiag(args);

        Assert.AreEqual(ExitCodes.UsageError, code);
        StringAssert.StartsWith(error, "tdiag: ");
        Assert.DoesNotContain("   at ", error, "no stack trace");
    }

    [TestMethod]
    public void UnwritableOutputFolderIsAnOutputError()
    {
        string file = NewFolder();
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "a file where the folder should go");

        var (code, _, error) = Tdiag("demo", "--epochs", "1", "--out", file);

        Assert.AreEqual(ExitCodes.OutputError, code, error);
        StringAssert.StartsWith(error, "tdiag: error: cannot create the output folder");
        Assert.DoesNotContain("   at ", error, "no stack trace");
    }

    [TestMethod]
    [DataRow("batchnorm", "BatchNormDegenerate", "bn")]
    [DataRow("data", "NonFiniteInput", "input")]
    [DataRow("sqrt", "NonFiniteGradient", "gate")]
    [DataRow("lr", "ExplodingGradient|DivergingLoss", null)]
    public void EachPlantedFaultShowsItsIncidentInTheReport(string fault, string kinds, string? module)
    {
        string folder = NewFolder();

        var (code, output, error) = Tdiag("demo", "--fault", fault, "--epochs", "3", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);

        // 3 epochs of 23 steps: the fault is planted at step 69 / 2 = 34. Read the log with a plain JSON parser.
        List<JsonElement> incidents = File.ReadAllLines(Path.Combine(folder, DemoCommand.RunLogFileName))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "anomaly")
            .ToList();
        Assert.IsNotEmpty(incidents, output);
        JsonElement first = incidents[0];
        string kind = first.GetProperty("anomalyKind").GetString()!;
        CollectionAssert.Contains(kinds.Split('|'), kind);
        long step = first.GetProperty("step").GetInt64();
        if (fault == "lr")
        {
            Assert.IsTrue(step is >= 34 and <= 40, $"flagged soon after the learning rate jumps at step 34, got step {step}");
        }
        else
        {
            Assert.AreEqual(34, step);
            Assert.AreEqual(module, first.GetProperty("modulePath").GetString());
        }

        if (fault == "sqrt")
        {
            StringAssert.Contains(first.GetProperty("operation").GetString(), "SqrtBackward0");
        }

        // The report opens on the verdict, which leads with this incident, and details it.
        string html = File.ReadAllText(Path.Combine(folder, DemoCommand.ReportFileName));
        string top = System.Text.RegularExpressions.Regex.Match(html, "<ol class=\"top-findings\" id=\"verdict-top\">\\s*<li[^>]*>(.*?)</li>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        // The learning-rate fault leads with the collapse it causes (its incidents are warnings), the others with their incident.
        StringAssert.Contains(top, fault == "lr" ? "Training collapsed: " : Describe(kind));
        StringAssert.Contains(html, $"<details class=\"incident {(kind is "ExplodingGradient" or "DivergingLoss" ? "warning" : "critical")}\" id=\"incident-0\">");
        StringAssert.Contains(html, $"step {step}: {kind}");
        StringAssert.Contains(output, "verdict           Failed");
        StringAssert.Contains(html, $"<dt>planted fault</dt><dd>{fault} at step 34</dd>");
    }

    private static string Describe(string kind) => kind switch
    {
        "BatchNormDegenerate" => "Degenerate BatchNorm in bn",
        "NonFiniteInput" => "Non-finite input batch in input",
        "NonFiniteGradient" => "Non-finite gradient in gate",
        "ExplodingGradient" => "Exploding gradient",
        _ => "Diverging loss",
    };

    [TestMethod]
    public void HealthyDemoSaysHealthy()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--fault", "none", "--epochs", "2", "--out", folder, "--open");

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "verdict           Healthy");
        StringAssert.Contains(output, "incidents         0");

        // Captured output is not a terminal: --open names the file to open instead of starting a browser, and
        // progress is plain lines.
        StringAssert.Contains(output, "open in a browser: file://");
        StringAssert.Contains(output, "epoch   2/2  mean loss");
        Assert.Contains("verdict-healthy", File.ReadAllText(Path.Combine(folder, DemoCommand.ReportFileName)));
    }

    private static List<JsonElement> Records(string runLog, string kind) =>
        File.ReadAllLines(runLog).Select(line => JsonDocument.Parse(line).RootElement).Where(e => e.GetProperty("kind").GetString() == kind).ToList();

    [TestMethod]
    public void DemoRecordsHeldOutMetricsEachEpochAndTheLearningRateEachStep()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--epochs", "2", "--out", folder);
        Assert.AreEqual(ExitCodes.Success, code, error);
        string runLog = Path.Combine(folder, DemoCommand.RunLogFileName);

        // 23 steps per epoch: the metrics belong to the last step of each epoch, 22 and 45.
        // The monitor's own activation readings are metrics too (activation/...): here, the held-out ones the demo records.
        List<JsonElement> metrics = Records(runLog, "metric").Where(m => m.GetProperty("name").GetString()!.StartsWith("validation/", StringComparison.Ordinal)).ToList();
        CollectionAssert.AreEqual(
            new[] { "22 validation/loss", "22 validation/accuracy", "45 validation/loss", "45 validation/accuracy" },
            metrics.Select(m => $"{m.GetProperty("step").GetInt64()} {m.GetProperty("name").GetString()}").ToArray());
        double accuracy = metrics[^1].GetProperty("value").GetDouble();

        // The summary's held-out accuracy is measured by separate code after training: the last metric must agree, and
        // be a multiple of 1/359 (359 held-out images).
        StringAssert.Contains(output, "held-out accuracy " + accuracy.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) + " of 359 images");
        Assert.AreEqual(Math.Round(accuracy * 359), accuracy * 359, 1e-9);
        double heldOutLoss = metrics[^2].GetProperty("value").GetDouble();
        Assert.IsTrue(heldOutLoss > 0 && heldOutLoss < Math.Log(10), $"a trained classifier beats chance (ln 10) on held-out images: {heldOutLoss}");

        // The optimizer is in the monitor's options: Adam's 0.01 at every step.
        Assert.IsTrue(Steps(runLog).All(s => s.GetProperty("learningRate").GetDouble() == 0.01));
        string html = File.ReadAllText(Path.Combine(folder, DemoCommand.ReportFileName));
        Assert.Contains("<polyline class=\"metric m0\"", html, "validation/loss over the training loss");
        Assert.Contains("<h3>validation/accuracy</h3>", html);
        Assert.Contains("was 0.01 at every step.", html);
    }

    [TestMethod]
    public void LearningRateFaultFailsAsACollapseAndHealthyStaysHealthy()
    {
        // The README's commands, with their defaults (10 epochs, the fault at step 50).
        string faulty = NewFolder(), healthy = NewFolder();
        var (code, output, error) = Tdiag("demo", "--fault", "lr", "--out", faulty);
        Assert.AreEqual(ExitCodes.Success, code, error);
        var (healthyCode, healthyOutput, healthyError) = Tdiag("demo", "--out", healthy);
        Assert.AreEqual(ExitCodes.Success, healthyCode, healthyError);

        string runLog = Path.Combine(faulty, DemoCommand.RunLogFileName);
        List<JsonElement> steps = Steps(runLog);
        Assert.IsTrue(steps.All(s => s.GetProperty("learningRate").GetDouble() == (s.GetProperty("step").GetInt64() < 50 ? 0.01 : 10)), "x1000 from step 50");

        // Independent reading of the log: held-out accuracy ends far below its first value, and near chance (10 classes).
        double[] accuracy = Records(runLog, "metric").Where(m => m.GetProperty("name").GetString() == "validation/accuracy").Select(m => m.GetProperty("value").GetDouble()).ToArray();
        Assert.HasCount(10, accuracy);
        Assert.IsGreaterThan(0.8, accuracy[0]);
        Assert.IsLessThan(0.2, accuracy[^1]);

        StringAssert.Contains(output, "verdict           Failed");
        StringAssert.Contains(output, "  - Training collapsed: ");
        StringAssert.Contains(output, "validation/accuracy fell from ");
        string html = File.ReadAllText(Path.Combine(faulty, DemoCommand.ReportFileName));
        StringAssert.Contains(html, "The learning rate rose x1000 at step 50 (0.01 to 10)");
        Assert.Contains("id=\"lr-chart\"", html);

        StringAssert.Contains(healthyOutput, "verdict           Healthy");
        StringAssert.Contains(healthyOutput, "  - validation/accuracy rose from ");
    }

    [TestMethod]
    public void UnknownFaultIsAUsageError()
    {
        var (code, _, error) = Tdiag("demo", "--fault", "gremlins");
        Assert.AreEqual(ExitCodes.UsageError, code);
        StringAssert.Contains(error, "gremlins");
    }

    [TestMethod]
    public void HelpListsTheDemo()
    {
        var (code, output, _) = Tdiag("--help");
        Assert.AreEqual(ExitCodes.Success, code);
        Assert.Contains("demo", output);

        var (demoCode, demoHelp, _) = Tdiag("demo", "--help");
        Assert.AreEqual(ExitCodes.Success, demoCode);
        Assert.Contains("--epochs", demoHelp);
        Assert.Contains("--out", demoHelp);
    }
}
