using Microsoft.ML;
using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class ObserverTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<string> Events { get; } = [];

        public void OnEpochStart(int epoch) => Events.Add($"start {epoch}");

        public void OnStepEnd(StepResult result) => Events.Add($"step {result.Record!.Step}");

        public void OnEpochEnd(EpochMetrics metrics) =>
            Events.Add($"end {metrics.Epoch} last {metrics.LastStep} {string.Join(",", metrics.Values.Keys.Order())}");
    }

    private sealed class EpochsOnly : ITrainingObserver
    {
        public int Ends { get; private set; }

        public void OnEpochEnd(EpochMetrics metrics) => Ends++;
    }

    [TestMethod]
    public void Observers_fire_in_order_with_the_step_numbers_of_the_run_and_validation_metrics_at_epoch_ends()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var (train, test) = Datasets.Split(context, data);
        var keyed = context.Transforms.Conversion.MapValueToKey("Label", "Class").Append(context.Transforms.NormalizeMeanVariance("Features")).Fit(train);
        var recorder = new Recorder();
        var epochsOnly = new EpochsOnly();
        var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(13, 8, 3),
            Epochs = 2,
            BatchSize = 50,
            Seed = 1,
            Observers = [recorder, epochsOnly],
            ValidationSet = keyed.Transform(test),
        });
        var model = trainer.Fit(keyed.Transform(train));

        int rows = (int)context.Data.CreateEnumerable<WineRow>(train, reuseRowObject: false).Count();
        int steps = (rows + 49) / 50;
        var expected = new List<string>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            expected.Add($"start {epoch}");
            expected.AddRange(Enumerable.Range(epoch * steps, steps).Select(s => $"step {s}"));
            expected.Add($"end {epoch} last {((epoch + 1) * steps) - 1} validation/accuracy,validation/loss");
        }

        CollectionAssert.AreEqual(expected, recorder.Events);
        Assert.AreEqual(2, epochsOnly.Ends);
        var recorded = model.Run.Metrics.Where(m => m.Name == "validation/loss").Select(m => m.Step).ToList();
        CollectionAssert.AreEqual(new long[] { steps - 1, (2 * steps) - 1 }, recorded);
    }

    [TestMethod]
    public void Observe_records_the_log_lines_and_duration_of_a_closed_SDCA_fit()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var observed = context.Diagnostics().Observe(
            context.Transforms.Conversion.MapValueToKey("Label", "Class")
                .Append(context.Transforms.NormalizeMeanVariance("Features"))
                .Append(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20)), "sdca");
        var model = observed.Fit(data);
        Assert.IsNotNull(model);
        var fit = observed.LastFit!;
        Assert.AreEqual("sdca", fit.Name);
        Assert.IsNull(fit.Error);
        Assert.IsGreaterThan(0.0, fit.DurationMilliseconds);
        Assert.IsTrue(fit.LogLines.Any(l => l.Contains("SDCA", StringComparison.OrdinalIgnoreCase) || l.Contains("iteration", StringComparison.OrdinalIgnoreCase)),
            $"SDCA's own log lines were captured; got {fit.LogLines.Count}: {string.Join(" | ", fit.LogLines.Take(10))}");
        Assert.Contains(fit, context.Diagnostics().Records.ObservedFits);
    }

    [TestMethod]
    public void Observe_records_a_failing_fit_and_rethrows_its_exception()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var observed = context.Diagnostics().Observe(context.Regression.Trainers.LbfgsPoissonRegression(labelColumnName: "Missing"));
        Assert.Throws<Exception>(() => observed.Fit(data));
        StringAssert.Contains(observed.LastFit!.Error, "Missing");
    }
}
