using System.Text.Json;
using TrainingDiagnostics.Cli;
using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Cli.Demo;

namespace TrainingDiagnostics.Cli.Tests;

[TestClass]
public sealed class MLNetDemoCommandTests
{
    public TestContext TestContext { get; set; } = null!;

    private string NewFolder() => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-mlnet-" + Guid.NewGuid().ToString("N"));

    private static (int ExitCode, string Output, string Error) Tdiag(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [TestMethod]
    public void MLNetDemoWritesARunLogWithTheDataProfileAndObservedStagesAndAReportWithDataAndPipelineSections()
    {
        string folder = NewFolder();

        var (code, output, error) = Tdiag("demo", "--mlnet", "--epochs", "2", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        // Read with a generic JSON parser: an oracle independent of RunLogReader.
        var lines = File.ReadAllLines(Path.Combine(folder, DemoCommand.RunLogFileName)).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var kinds = lines.Select(e => e.GetProperty("kind").GetString()).ToList();
        // Two profiles: the pipeline's ProfileData stage, and the monitor's profile of the module's input (its first batches).
        var profiles = lines.Where(e => e.GetProperty("kind").GetString() == "dataProfile").Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.HasCount(2, profiles);
        Assert.Contains("input", profiles);
        Assert.AreEqual(4, kinds.Count(k => k == "observedFit"), "profile, normalize, flag, and the linear baseline");
        Assert.IsGreaterThan(40, kinds.Count(k => k == "step"));
        string html = File.ReadAllText(Path.Combine(folder, DemoCommand.ReportFileName));
        Assert.Contains("id=\"data\"", html);
        Assert.Contains("id=\"pipeline\"", html);
        Assert.Contains("normalize (min-max)", html);
        Assert.Contains("verdict", output);
    }

    [TestMethod]
    public void MLNetDemoFitsAnObservedLinearBaselineWhoseIterationCurvesReachTheLogAndTheReportAndWhoseAccuracyIsPrinted()
    {
        string folder = NewFolder();

        var (code, output, error) = Tdiag("demo", "--mlnet", "--epochs", "1", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        // The log, read with a generic JSON parser: the baseline's observed fit carries SDCA's per-iteration series.
        var baseline = File.ReadAllLines(Path.Combine(folder, DemoCommand.RunLogFileName))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Single(e => e.GetProperty("kind").GetString() == "observedFit" && e.GetProperty("name").GetString() == MLNetDigitsDemo.BaselineStageName);
        var series = baseline.GetProperty("series").EnumerateArray().ToList();
        var loss = series.Single(s => s.GetProperty("name").GetString() == "sdca/loss");
        int iterations = loss.GetProperty("iterations").GetArrayLength();
        Assert.IsGreaterThan(1, iterations, "SDCA reports its loss at every iteration");
        Assert.AreEqual(iterations, loss.GetProperty("values").GetArrayLength());
        Assert.IsTrue(series.Any(s => s.GetProperty("name").GetString() == "sdca/dual_loss"));
        var primal = loss.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.IsLessThan(primal[0], primal[^1], "the primal loss falls over the iterations");

        // The report's Pipeline section draws the curves: the trainer's note and a chart.
        string html = File.ReadAllText(Path.Combine(folder, DemoCommand.ReportFileName));
        Assert.Contains(MLNetDigitsDemo.BaselineStageName, html);
        Assert.Contains($"sdca: {iterations} reported iteration(s)", html);
        Assert.Contains("id=\"pipeline-chart-0\"", html);
        Assert.Contains("sdca: loss, dual_loss", html);

        // Its accuracy, next to the network's, on the console and in the report's run tags.
        var line = output.Split('\n').Single(l => l.StartsWith("baseline ", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(line, @"held-out accuracy (\d+\.\d) ?%");
        Assert.IsTrue(match.Success, line);
        double accuracy = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(85.0, accuracy, "a linear model on the digits' pixels reaches about 95%");
        Assert.Contains(match.Value, html);
        Assert.IsLessThan(output.IndexOf(line, StringComparison.Ordinal), output.IndexOf("held-out accuracy ", StringComparison.Ordinal));
    }

    [TestMethod]
    public void MLNetDataFaultIsFoundAsANonFiniteInputAndAsADataFinding()
    {
        string folder = NewFolder();

        var (code, output, error) = Tdiag("demo", "--mlnet", "--fault", "data", "--epochs", "1", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        Assert.Contains("Non-finite input batch in input", output);
        Assert.Contains("holds 1 NaN or infinite value(s)", output);
    }

    [TestMethod]
    public void MLNetPlantsTheLearningRateFaultThroughTheTrainersScheduleAndTheVerdictNamesTheJump()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--mlnet", "--fault", "lr", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        var run = Model.RunLogReader.Read(Path.Combine(folder, DemoCommand.RunLogFileName));
        var rates = run.Steps.Select(s => s.LearningRate!.Value).ToList();
        int jump = rates.FindIndex(r => r > rates[0] * 999);
        Assert.AreEqual(50, run.Steps[jump].Step, "x1000 from step 50 on, as the TorchSharp demo plants it");
        Assert.AreEqual(rates[0] * 1000, rates[^1], rates[0] * 1e-6);
        StringAssert.Contains(output, "verdict           Failed");
        var verdict = Report.Findings.FindingRules.Evaluate(run);
        Assert.IsTrue(verdict.Findings.Any(f => f.Rule == "learning-rate-jump" && f.Step == 50 && f.Title.Contains("x1000", StringComparison.Ordinal)),
            string.Join("; ", verdict.Findings.Select(f => $"[{f.Rule}] {f.Title}")));
    }

    [TestMethod]
    public void MLNetFreezesFc1ThroughTheTrainersFrozenParametersAndTheReportPlacesIt()
    {
        string folder = NewFolder();
        var (code, _, error) = Tdiag("demo", "--mlnet", "--fault", "frozen", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        var run = Model.RunLogReader.Read(Path.Combine(folder, DemoCommand.RunLogFileName));
        // fc1 gets gradients but its update ratio is exactly 0 at every measurement; fc2 moves.
        var fc1 = run.Steps.SelectMany(s => s.Layers).Where(l => l.Name == "fc1.weight").ToList();
        Assert.IsTrue(fc1.All(l => l.GradientNorm > 0));
        Assert.IsTrue(fc1.Where(l => l.UpdateRatio is not null).All(l => l.UpdateRatio == 0) && fc1.Any(l => l.UpdateRatio is not null));
        Assert.IsTrue(run.Steps.SelectMany(s => s.Layers).Any(l => l.Name == "fc2.weight" && l.UpdateRatio > 0));
        var verdict = Report.Findings.FindingRules.Evaluate(run);
        Assert.IsTrue(verdict.Findings.Any(f => f.Rule == "frozen-parameters" && f.ModulePath == "fc1.weight" && f.Remedy?.Action == "add-to-optimizer"),
            string.Join("; ", verdict.Findings.Select(f => $"[{f.Rule}] {f.Title} @{f.ModulePath}")));
    }

    [TestMethod]
    public void MLNetUnscaledFaultIsAPipelineWithoutItsNormalizer()
    {
        string folder = NewFolder();

        var (code, _, error) = Tdiag("demo", "--mlnet", "--fault", "unscaled", "--epochs", "2", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        string[] stages = File.ReadAllLines(Path.Combine(folder, DemoCommand.RunLogFileName))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "observedFit")
            .Select(e => e.GetProperty("name").GetString()!)
            .ToArray();
        CollectionAssert.AreEqual(new[] { "profile data", "flag non-finite", MLNetDigitsDemo.BaselineStageName }, stages);
    }

    [TestMethod]
    public void MLNetLrHighTrainsWithSgdMomentumAtTheHighRate()
    {
        string folder = NewFolder();

        var (code, _, error) = Tdiag("demo", "--mlnet", "--fault", "lr-high", "--epochs", "1", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        var steps = File.ReadAllLines(Path.Combine(folder, DemoCommand.RunLogFileName))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        Assert.AreEqual("SGD (momentum 0.9)", steps[0].GetProperty("tags").GetProperty("optimizer").GetString());
        Assert.IsTrue(steps.Where(e => e.GetProperty("kind").GetString() == "step").All(e => e.GetProperty("learningRate").GetDouble() == 1.2));
    }
}
