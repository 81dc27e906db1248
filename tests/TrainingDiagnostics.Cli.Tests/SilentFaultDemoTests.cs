using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// The silent faults of <c>tdiag demo</c> (each stays finite and shows its symptom, read from the run log with a plain JSON
/// parser), the remedies of <c>--heal</c> as they act in training, and <c>--heal</c> end to end.
/// </summary>
[TestClass]
public sealed class SilentFaultDemoTests
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

    private RunLogJson Demo(string fault, out string output, params string[] more)
    {
        string folder = NewFolder();
        var (code, text, error) = Tdiag(["demo", "--fault", fault, "--out", folder, .. more]);
        Assert.AreEqual(ExitCodes.Success, code, error);
        output = text;
        return new RunLogJson(Path.Combine(folder, DemoCommand.RunLogFileName));
    }

    private static void AssertFinite(RunLogJson log)
    {
        Assert.IsTrue(log.Losses.All(double.IsFinite), "every loss finite");
        foreach (string parameter in log.Parameters)
        {
            Assert.IsTrue(log.PerParameter("gradientNorms", parameter).All(double.IsFinite), $"{parameter}: every gradient norm finite");
        }

        Assert.IsEmpty(log.Records("anomaly").Where(a => a.GetProperty("anomalyKind").GetString()!.StartsWith("NonFinite", StringComparison.Ordinal)).ToList());
    }

    [TestMethod]
    public void LrHighSwingsWithoutNaNAndNeverSettles()
    {
        RunLogJson log = Demo("lr-high", out _);

        AssertFinite(log);
        Assert.IsTrue(log.LearningRates.All(lr => lr == DigitsDemo.HighLearningRate));

        // After the first epoch, means over 10 steps swing by more than 0.5 and never come near a trained loss (a healthy
        // demo ends below 0.1), and the last epochs are no better than the second and third: no downward trend.
        double[] means = RunLogJson.BlockMeans(log.Losses[23..], 10);
        Assert.IsGreaterThan(0.5, means.Max() - means.Min(), string.Join(" ", means));
        Assert.IsGreaterThan(1.0, means.Min(), string.Join(" ", means));
        double[] epochs = RunLogJson.BlockMeans(log.Losses, 23);
        Assert.IsGreaterThanOrEqualTo(0.9 * epochs[1..3].Average(), epochs[^3..].Average(), string.Join(" ", epochs));
        Assert.IsLessThan(0.7, log.Metric(DigitsDemo.ValidationAccuracy).Max());
    }

    [TestMethod]
    public void LrLowCrawls()
    {
        RunLogJson log = Demo("lr-low", out _);

        AssertFinite(log);
        Assert.IsTrue(log.LearningRates.All(lr => Math.Abs(lr - 1e-5) < 1e-12));
        double[] epochs = RunLogJson.BlockMeans(log.Losses, 23);
        Assert.AreEqual(epochs[0], epochs[^1], 0.03 * epochs[0], "ten epochs move the loss by less than 3 %");
        Assert.IsLessThan(0.3, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void DeadReluLetsNoGradientReachTheFirstLayer()
    {
        RunLogJson log = Demo("dead-relu", out _);

        AssertFinite(log);
        Assert.IsTrue(log.PerParameter("gradientNorms", "fc1.weight").All(g => g == 0), "every ReLU outputs 0 for every image");
        Assert.IsTrue(log.PerParameter("gradientNorms", "fc1.bias").All(g => g == 0));
        Assert.IsTrue(log.PerParameter("gradientNorms", "fc2.bias").Any(g => g > 0), "only fc2's bias still learns");
        Assert.IsLessThan(0.2, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void FrozenGetsGradientsButNeverChanges()
    {
        RunLogJson log = Demo("frozen", out _);

        AssertFinite(log);
        double[] frozen = log.PerParameter("weightNorms", "fc1.weight");
        Assert.IsGreaterThan(10, frozen.Length);
        Assert.IsTrue(frozen.All(w => w == frozen[0]), "fc1.weight is left out of the optimizer");
        Assert.IsTrue(log.PerParameter("gradientNorms", "fc1.weight").All(g => g > 0), "yet it gets a gradient at every step");
        double[] trained = log.PerParameter("weightNorms", "fc2.weight");
        Assert.AreNotEqual(trained[0], trained[^1]);
    }

    [TestMethod]
    public void UnscaledInputsSpanFourDecadesAndTrainBadly()
    {
        RunLogJson log = Demo("unscaled", out _);

        AssertFinite(log);
        Assert.IsLessThan(0.5, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);

        // The planted scales, checked on the data the demo trains on: column j of the pixels times 10^(j mod 5), plus 10 (j mod 3).
        DigitsDataset data = DigitsDataset.Load(DigitsDataset.DefaultPath);
        float[] unscaled = DigitsDemo.PixelValues(DemoFault.Unscaled, data);
        double[] spread = Enumerable.Range(0, DigitsDataset.FeatureCount)
            .Select(c => Enumerable.Range(0, data.Count).Select(r => (double)unscaled[(r * DigitsDataset.FeatureCount) + c]))
            .Select(column => column.Max() - column.Min())
            .Where(range => range > 0)
            .ToArray();
        Assert.IsGreaterThan(1e3, spread.Max() / spread.Min());
        Assert.AreEqual((data.Features[(5 * 64) + 9] * 10) + 0, unscaled[(5 * 64) + 9], 1e-3);
        Assert.AreEqual((data.Features[(5 * 64) + 4] * 1e4) + 10, unscaled[(5 * 64) + 4], 1e-2);
    }

    [TestMethod]
    public void OverfitDrivesTheTrainingLossToZeroWhileTheValidationLossRisesFromItsBest()
    {
        RunLogJson log = Demo("overfit", out string output);

        AssertFinite(log);
        StringAssert.Contains(output, $"for {DemoSettings.DefaultEpochs(DemoFault.Overfit)} epoch(s)");
        Assert.AreEqual(DemoSettings.OverfitTrainingImages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            log.Records("header").Single().GetProperty("tags").GetProperty("train images").GetString());
        double[] losses = log.Losses;
        Assert.HasCount(200, losses, "50 images, one batch per epoch");
        Assert.IsLessThan(0.01, losses[^10..].Average());
        double[] validation = log.Metric(DigitsDemo.ValidationLoss);
        int best = Array.IndexOf(validation, validation.Min());
        Assert.IsLessThan(validation.Length / 2, best, "the best held-out loss comes early");
        Assert.IsGreaterThan(1.1 * validation[best], validation[^1], "and it rises by more than 10 % from there");
    }

    /// <summary>Trains the demo with a fault and the healing <see cref="HealPlan"/> makes of one finding's remedy.</summary>
    private RunLogJson Healed(DemoFault fault, Finding finding, out DemoResult result)
    {
        var settings = new DemoSettings { Fault = fault, Epochs = DemoSettings.DefaultEpochs(fault) };
        HealPlan plan = HealPlan.From([finding], settings.Healing, ModelLayout.OfDemo(fault));
        Assert.IsTrue(plan.ChangesAnything, string.Join("; ", plan.NotApplied));
        string folder = NewFolder();
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "healed.jsonl");
        result = DigitsDemo.Train(settings with { Healing = plan.Healing }, DigitsDataset.Load(DigitsDataset.DefaultPath), path, (_, _) => { });
        return new RunLogJson(path);
    }

    private static Finding Finding(string rule, string action, string? target = null, double? factor = null, long? step = null) => new()
    {
        Severity = FindingSeverity.Warning,
        Rule = rule,
        Title = rule,
        Step = step,
        ModulePath = target,
        Remedy = new Remedy { Action = action, Target = target, Factor = factor, Text = action },
    };

    [TestMethod]
    public void ScalingTheLearningRateHealsLrHigh()
    {
        RunLogJson log = Healed(DemoFault.LrHigh, Finding("oscillating-loss", RemedyActions.ScaleLearningRate, factor: 0.1), out DemoResult result);

        Assert.IsTrue(log.LearningRates.All(lr => Math.Abs(lr - 0.12) < 1e-9), "1.2 x 0.1, at every step");
        Assert.AreEqual(0.12, result.LearningRate, 1e-12);
        Assert.IsGreaterThan(0.9, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void ScalingTheLearningRateUpHealsLrLow()
    {
        RunLogJson log = Healed(DemoFault.LrLow, Finding("slow-convergence", RemedyActions.ScaleLearningRate, factor: 300), out _);

        Assert.IsTrue(log.LearningRates.All(lr => Math.Abs(lr - 3e-3) < 1e-12));
        Assert.IsGreaterThan(0.9, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void StandardizingHealsUnscaled()
    {
        RunLogJson log = Healed(DemoFault.Unscaled, Finding("unnormalized-input", RemedyActions.StandardizeInputs, "input"), out _);

        Assert.IsGreaterThan(0.9, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
        Assert.IsLessThan(3.0, log.Losses[0], "standardized inputs start near ln 10, not at the unscaled inputs' huge loss");
    }

    [TestMethod]
    public void AddingTheLayerToTheOptimizerHealsFrozen()
    {
        RunLogJson log = Healed(DemoFault.Frozen, Finding("frozen-parameters", RemedyActions.AddToOptimizer, "fc1"), out _);

        double[] weights = log.PerParameter("weightNorms", "fc1.weight");
        Assert.AreNotEqual(weights[0], weights[^1], "fc1 now moves");
        Assert.IsGreaterThan(0.9, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void ReinitializingTheLayerThatFeedsTheDeadRelusHealsDeadRelu()
    {
        RunLogJson log = Healed(DemoFault.DeadRelu, Finding("dying-relu", RemedyActions.Reinitialize, "relu"), out _);

        Assert.IsTrue(log.PerParameter("gradientNorms", "fc1.weight").All(g => g > 0), "gradients reach fc1 again");
        Assert.IsGreaterThan(0.9, log.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }

    [TestMethod]
    public void ALeakyReluLetsGradientsThroughTheDeadUnits()
    {
        RunLogJson log = Healed(DemoFault.DeadRelu, Finding("dying-relu", RemedyActions.ReplaceActivation, "relu"), out _);

        Assert.IsTrue(log.PerParameter("gradientNorms", "fc1.weight").All(g => g > 0), "LeakyReLU passes 1 % of the gradient below 0");
        Assert.AreEqual("Sequential(Linear, LeakyReLU, Linear)", log.Records("header").Single().GetProperty("modelDescription").GetString());
    }

    [TestMethod]
    public void EarlyStopEndsAtTheBestValidationStep()
    {
        // The overfit demo: one batch of 50 images per epoch, so the evaluation at step 37 ends epoch 38.
        RunLogJson log = Healed(DemoFault.Overfit, Finding("overfitting", RemedyActions.EarlyStop, step: 37), out _);

        Assert.HasCount(38, log.Steps);
        Assert.HasCount(38, log.Metric(DigitsDemo.ValidationLoss));
    }

    [TestMethod]
    public void HealWithoutAnApplicableRemedySaysSoAndTrainsOnce()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--heal", "--epochs", "3", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "nothing to heal: no finding of the report carries a remedy that can be applied.");
        Assert.IsFalse(File.Exists(Path.Combine(folder, DemoCommand.HealedRunLogFileName(1))));
        Assert.IsFalse(File.Exists(Path.Combine(folder, DemoCommand.CompareFileName)));
    }

    [TestMethod]
    public void HealIsRefusedWithMLNet()
    {
        var (code, _, error) = Tdiag("demo", "--mlnet", "--heal", "--out", NewFolder());

        Assert.AreEqual(ExitCodes.UsageError, code);
        StringAssert.StartsWith(error, "tdiag: error: --heal is not available with --mlnet");
    }

    /// <summary>
    /// A stand-in for the report's rules, so that --heal's rounds are tested whatever the rules say: an oscillating-loss
    /// finding with a scale-learning-rate remedy of <paramref name="factor"/> while the run's learning rate is above
    /// <paramref name="above"/>; a healthy verdict otherwise.
    /// </summary>
    private static Func<DiagnosticsRun, RunVerdict> OscillatesAbove(double above, double factor) => run =>
        run.Steps[0].LearningRate > above
            ? new RunVerdict { Level = VerdictLevel.Warnings, Findings = [Finding("oscillating-loss", RemedyActions.ScaleLearningRate, factor: factor, step: 0)] }
            : new RunVerdict { Level = VerdictLevel.Healthy, Findings = [] };

    private (string Folder, string Output) HealWith(DemoFault fault, Func<DiagnosticsRun, RunVerdict> evaluate)
    {
        string folder = NewFolder();
        Directory.CreateDirectory(folder);
        var settings = new DemoSettings { Fault = fault, OutputDirectory = folder };
        DigitsDataset data = DigitsDataset.Load(DigitsDataset.DefaultPath);
        string path = Path.Combine(folder, DemoCommand.RunLogFileName);
        DemoResult result = DigitsDemo.Train(settings, data, path, (_, _) => { });
        var output = new StringWriter();
        DemoCommand.Heal(settings, data, folder, RunLogReader.Read(path), result, output, evaluate);
        TestContext.WriteLine(output.ToString());
        return (folder, output.ToString());
    }

    [TestMethod]
    public void HealRetrainsWithTheRemedyComparesTheRunsAndSaysWhatChanged()
    {
        var (folder, output) = HealWith(DemoFault.LrHigh, OscillatesAbove(0.5, 0.1));

        StringAssert.Contains(output, "heal round 1: 1 remedy(ies) to apply, 0 deferred, 0 not applicable");
        StringAssert.Contains(output, "  applied      scale-learning-rate (oscillating-loss at step 0): learning rate x0.1");
        StringAssert.Contains(output, "verdict           Warnings -> Healthy");
        StringAssert.Contains(output, "healed: lr 1.2 -> 0.12, validation accuracy 0.37 -> ");
        Assert.IsFalse(File.Exists(Path.Combine(folder, DemoCommand.HealedRunLogFileName(2))), "healthy after one round");

        var after = new RunLogJson(Path.Combine(folder, DemoCommand.HealedRunLogFileName(1)));
        Assert.IsTrue(after.LearningRates.All(lr => Math.Abs(lr - 0.12) < 1e-9));
        Assert.IsGreaterThan(0.9, after.Metric(DigitsDemo.ValidationAccuracy)[^1]);
        Assert.AreEqual("tdiag demo: digits MLP, fault lr-high, healed", after.Records("header").Single().GetProperty("runName").GetString());
        Assert.AreEqual("lr x0.1", after.Records("header").Single().GetProperty("tags").GetProperty("healing").GetString());

        string compare = File.ReadAllText(Path.Combine(folder, DemoCommand.CompareFileName));
        StringAssert.Contains(compare, "tdiag demo --heal: lr-high, before and after");
        StringAssert.Contains(compare, "tdiag demo: digits MLP, fault lr-high, healed");
        Assert.IsTrue(File.Exists(Path.Combine(folder, DemoCommand.HealedReportFileName(1))));
    }

    [TestMethod]
    public void HealStopsAfterItsLastRoundAndSaysWhenTheFindingPersists()
    {
        // Halving 1.2 three times leaves 0.15, still above the stand-in's threshold of 0.1: the finding persists.
        var (folder, output) = HealWith(DemoFault.LrHigh, OscillatesAbove(0.1, 0.5));

        Assert.AreEqual(3, DemoCommand.MaxHealRounds);
        StringAssert.Contains(output, "heal round 3: 1 remedy(ies) to apply");
        Assert.IsTrue(File.Exists(Path.Combine(folder, DemoCommand.HealedRunLogFileName(3))));
        Assert.IsFalse(File.Exists(Path.Combine(folder, DemoCommand.HealedRunLogFileName(4))));
        Assert.AreEqual(0.15, new RunLogJson(Path.Combine(folder, DemoCommand.HealedRunLogFileName(3))).LearningRates[0], 1e-9);
        StringAssert.Contains(output, "not healed: oscillating-loss still found after the remedies; lr 1.2 -> 0.15, validation accuracy ");
    }

    // Relies on the report rules of issue 17 (helper A: `unnormalized-input`, with a `standardize-inputs` remedy placed at
    // `input`) and on the monitor's input profile (helper B: the DataProfileRecord named `input`). Fails until both are merged.
    [TestMethod]
    public void HealStandardizesUnscaledInputsFromTheReportsFindingAndComparesBeforeAndAfter()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--fault", "unscaled", "--heal", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Contains(output, "applied      standardize-inputs (unnormalized-input in input");
        var before = new RunLogJson(Path.Combine(folder, DemoCommand.RunLogFileName));
        var after = new RunLogJson(Path.Combine(folder, DemoCommand.HealedRunLogFileName(1)));
        Assert.IsLessThan(0.5, before.Metric(DigitsDemo.ValidationAccuracy)[^1]);
        Assert.IsGreaterThan(0.9, after.Metric(DigitsDemo.ValidationAccuracy)[^1]);
        // Other findings' remedies may come with it (seen: dying-relu's re-initialization of fc1); the learning-rate factor the
        // collapse rule measured on the unscaled inputs waits for the next round, which the healed run no longer needs.
        StringAssert.StartsWith(after.Records("header").Single().GetProperty("tags").GetProperty("healing").GetString(), "inputs standardized");
        StringAssert.Contains(output, "healed: inputs standardized");
        Assert.IsTrue(after.LearningRates.All(lr => lr == 0.01), "the learning rate is left alone");

        // The healed run no longer has the finding; the comparison holds both runs.
        DiagnosticsRun healed = RunLogReader.Read(Path.Combine(folder, DemoCommand.HealedRunLogFileName(1)));
        Assert.IsFalse(FindingRules.Evaluate(healed).Findings.Any(f => f.Rule == "unnormalized-input"));
        string compare = File.ReadAllText(Path.Combine(folder, DemoCommand.CompareFileName));
        StringAssert.Contains(compare, "tdiag demo: digits MLP, fault unscaled, healed");
        StringAssert.Contains(compare, "tdiag demo: digits MLP, fault unscaled");
        Assert.IsTrue(File.Exists(Path.Combine(folder, DemoCommand.HealedReportFileName(1))));
    }

    // Relies on helper A's `oscillating-loss` rule and its `scale-learning-rate` remedy (a factor below 1 measured from the
    // run). Fails until it is merged. The most important finding's factor is followed (seen: the collapse rule's, with the
    // oscillating-loss finding's as the same remedy); within the rounds the held-out accuracy must come back above 0.9.
    [TestMethod]
    public void HealLowersTheLearningRateOfLrHighByTheReportsFactor()
    {
        string folder = NewFolder();
        var (code, output, error) = Tdiag("demo", "--fault", "lr-high", "--heal", "--out", folder);

        Assert.AreEqual(ExitCodes.Success, code, error);
        StringAssert.Matches(output, new System.Text.RegularExpressions.Regex(@"\n  (applied      |not applied  |deferred     )scale-learning-rate \(oscillating-loss"));
        StringAssert.Contains(output, "healed: lr 1.2 -> ");
        string last = Enumerable.Range(1, DemoCommand.MaxHealRounds).Select(DemoCommand.HealedRunLogFileName)
            .Select(name => Path.Combine(folder, name)).Last(File.Exists);
        var after = new RunLogJson(last);
        Assert.IsLessThan(DigitsDemo.HighLearningRate, after.LearningRates[0]);
        Assert.IsGreaterThan(0.9, after.Metric(DigitsDemo.ValidationAccuracy)[^1]);
    }
}
