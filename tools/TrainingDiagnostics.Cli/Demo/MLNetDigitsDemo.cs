using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using TorchSharp;
using TrainingDiagnostics.MLNet;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// <c>tdiag demo --mlnet</c>: the digits job of <see cref="DigitsDemo"/> as an ML.NET pipeline: load the images into an
/// <see cref="IDataView"/>, ProfileData, NormalizeMinMax, FlagNonFinite (each stage observed), then the TorchModule trainer
/// (the same 64-32-10 MLP, Adam (SGD with momentum for <c>lr-high</c>), under the training monitor). Faults: <c>data</c> (a NaN pixel in one training image),
/// <c>batchnorm</c> (BatchNorm1d, and a training set whose last batch holds one image), <c>sqrt</c> (the sqrt gate and a blank
/// training image), <c>dead-relu</c> (the model factory kills fc1's ReLUs), <c>lr-high</c> and <c>lr-low</c> (the trainer's
/// learning rate), <c>overfit</c> (50 training images), <c>unscaled</c> (unscaled pixel columns, and the pipeline without its
/// normalizer), <c>lr</c> (the trainer's learning-rate schedule multiplies the rate by 1000 at the fault step, as the
/// TorchSharp demo does), <c>frozen</c> (fc1 left out of the optimizer through the trainer's <c>FrozenParameters</c>).
/// Before the network, a linear baseline from ML.NET's own trainers (SDCA maximum entropy) is fitted on the same prepared
/// features under <c>Observe</c>: its per-iteration curves land in the run log's observed fits (the report's Pipeline
/// section), and its held-out accuracy in the run's tags and the console, next to the network's.
/// </summary>
internal static class MLNetDigitsDemo
{
    /// <summary>The baseline's stage name in the run log and the report.</summary>
    public const string BaselineStageName = "baseline: SDCA maximum entropy (linear)";

    /// <summary>The baseline's SDCA passes over the data: enough to converge on digits, a fraction of a second.</summary>
    private const int BaselineIterations = 20;

    /// <summary>The faults the ML.NET demo can plant.</summary>
    public static IReadOnlyList<DemoFault> SupportedFaults { get; } =
    [
        DemoFault.None, DemoFault.Lr, DemoFault.Data, DemoFault.BatchNorm, DemoFault.Sqrt, DemoFault.DeadRelu, DemoFault.LrHigh, DemoFault.LrLow,
        DemoFault.Overfit, DemoFault.Unscaled, DemoFault.Frozen,
    ];

    private sealed class DigitImage
    {
        [VectorType(DigitsDataset.FeatureCount)]
        public float[] Features { get; set; } = [];

        public float Digit { get; set; }
    }

    public static DemoResult Train(DemoSettings settings, DigitsDataset data, string runLogPath, Action<double, string?> progress)
    {
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(1); // tiny matrices: one intra-op thread is fastest and stable on a busy machine (see DigitsDemo)
        try
        {
            return TrainOnOneThread(settings, data, runLogPath, progress);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    private static DemoResult TrainOnOneThread(DemoSettings settings, DigitsDataset data, string runLogPath, Action<double, string?> progress)
    {
        var context = new MLContext(seed: settings.Seed);
        var diagnostics = context.Diagnostics();
        // Raw pixel counts 0..16, as in the file: the pipeline profiles and normalizes them itself. Unscaled: the columns
        // in mixed units, as DigitsDemo plants them.
        float[] pixels = DigitsDemo.PixelValues(settings.Fault, data);
        float scale = settings.Fault == DemoFault.Unscaled ? 1f : 16f;
        var images = Enumerable.Range(0, data.Count).Select(i => new DigitImage
        {
            Features = pixels.AsSpan(i * DigitsDataset.FeatureCount, DigitsDataset.FeatureCount).ToArray().Select(v => v * scale).ToArray(),
            Digit = data.Labels[i],
        }).ToList();
        var split = context.Data.TrainTestSplit(context.Data.LoadFromEnumerable(images), testFraction: settings.HeldOutFraction, seed: settings.Seed);
        var trainRows = context.Data.CreateEnumerable<DigitImage>(split.TrainSet, reuseRowObject: false).ToList();
        PlantFault(settings, trainRows);
        IDataView train = context.Data.LoadFromEnumerable(trainRows);

        var profiled = context.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(diagnostics.Observe(diagnostics.ProfileData("Features"), "profile data"));

        // The unscaled fault is a pipeline that forgot its normalizer (min-max scaling would undo the planted scales).
        var preprocessing = (settings.Fault == DemoFault.Unscaled
                ? (IEstimator<ITransformer>)profiled
                : profiled.Append(diagnostics.Observe(context.Transforms.NormalizeMinMax("Features"), "normalize (min-max)")))
            .Append(diagnostics.Observe(diagnostics.FlagNonFinite("Features"), "flag non-finite"));
        var prepared = preprocessing.Fit(train);
        IDataView preparedHeldOut = prepared.Transform(split.TestSet);
        double baselineAccuracy = FitBaseline(context, diagnostics, prepared.Transform(train), preparedHeldOut);

        var observer = new ProgressObserver(settings.Epochs, progress);
        int skipped = 0;
        var anomalies = new List<AnomalyEvent>();
        observer.Step = result =>
        {
            skipped += result.ShouldStep ? 0 : 1;
            anomalies.AddRange(result.Anomalies);
        };
        var trainer = diagnostics.TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () =>
            {
                var model = DigitsDemo.BuildModel(settings.Fault);
                DigitsDemo.PlantInitializationFault(settings.Fault, model);
                return model;
            },
            Task = TorchModuleTask.MulticlassClassification,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = DigitsDemo.LearningRate(settings),
            LearningRateSchedule = settings.Fault == DemoFault.Lr ? LearningRateJump(settings, trainRows.Count) : null,
            FrozenParameters = settings.Fault == DemoFault.Frozen ? ["fc1."] : [],
            Optimizer = settings.Fault == DemoFault.LrHigh ? TorchModuleOptimizer.SgdMomentum : TorchModuleOptimizer.Adam, // momentum 0.9, as DigitsDemo's
            Seed = settings.Seed,
            ValidationSet = preparedHeldOut,
            Observers = [observer],
            RunLogPath = runLogPath,
            Monitor = new MonitorOptions
            {
                RunName = settings.Fault == DemoFault.None ? "tdiag demo --mlnet: digits MLP" : $"tdiag demo --mlnet: digits MLP, fault {DigitsDemo.Name(settings.Fault)}",
                PublishMetrics = false,
                Seed = settings.Seed,
                Tags = new Dictionary<string, string>
                {
                    ["pipeline"] = "MapValueToKey, ProfileData, NormalizeMinMax, FlagNonFinite, TorchModule (ML.NET 5)",
                    ["dataset"] = "digits (UCI Optical Recognition of Handwritten Digits, 8x8)",
                    ["epochs"] = settings.Epochs.ToString(CultureInfo.InvariantCulture),
                    ["batch size"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
                    ["optimizer"] = settings.Fault == DemoFault.LrHigh ? "SGD (momentum 0.9)" : "Adam",
                    ["learning rate"] = DigitsDemo.LearningRate(settings).ToString(CultureInfo.InvariantCulture),
                    ["planted fault"] = DigitsDemo.Name(settings.Fault),
                    ["baseline"] = BaselineDescription(baselineAccuracy),
                },
            },
        });

        var clock = Stopwatch.StartNew();
        using TorchModuleTransformer module = trainer.Fit(prepared.Transform(train));
        clock.Stop();
        var model = prepared.Append(module);
        DiagnosticsRun run = module.Run;
        double trainAccuracy = context.MulticlassClassification.Evaluate(model.Transform(train)).MicroAccuracy;
        double heldOutAccuracy = context.MulticlassClassification.Evaluate(model.Transform(split.TestSet)).MicroAccuracy;
        int heldOut = (int)context.Data.CreateEnumerable<DigitImage>(split.TestSet, reuseRowObject: false).Count();
        return new DemoResult(
            run.Steps.Count,
            run.Steps.Count > 0 ? run.Steps[0].Loss : double.NaN,
            run.Steps.Count > 0 ? run.Steps[^1].Loss : double.NaN,
            trainAccuracy,
            heldOutAccuracy,
            trainRows.Count,
            heldOut,
            clock.Elapsed,
            runLogPath,
            skipped,
            anomalies)
        {
            Baseline = BaselineDescription(baselineAccuracy),
        };
    }

    /// <summary>
    /// Fits the linear baseline (SDCA maximum entropy, one thread so that the demo is reproducible) under <c>Observe</c>, so
    /// that the network's run log carries its iteration curves; returns its held-out accuracy.
    /// </summary>
    private static double FitBaseline(MLContext context, DiagnosticsCatalog diagnostics, IDataView train, IDataView heldOut)
    {
        var sdca = context.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
            NumberOfThreads = 1,
            MaximumNumberOfIterations = BaselineIterations,
        });
        var baseline = diagnostics.Observe(sdca, BaselineStageName).Fit(train);
        return context.MulticlassClassification.Evaluate(baseline.Transform(heldOut)).MicroAccuracy;
    }

    private static string BaselineDescription(double heldOutAccuracy) =>
        string.Create(CultureInfo.InvariantCulture, $"SDCA maximum entropy (linear, ML.NET): held-out accuracy {heldOutAccuracy:P1}");

    /// <summary>The <c>lr</c> fault: x1000 from the fault step on (the step the TorchSharp demo plants it at).</summary>
    private static Func<long, double> LearningRateJump(DemoSettings settings, int trainRows)
    {
        int faultStep = settings.FaultStep((trainRows + settings.BatchSize - 1) / settings.BatchSize * settings.Epochs);
        return step => step >= faultStep ? 1000 : 1;
    }

    private static void PlantFault(DemoSettings settings, List<DigitImage> rows)
    {
        switch (settings.Fault)
        {
            case DemoFault.Data:
                rows[3].Features[10] = float.NaN; // one corrupt pixel in one training image
                break;
            case DemoFault.Sqrt:
                Array.Clear(rows[0].Features); // a blank image: fc1 (no bias) hands exact zeros to the sqrt gate
                break;
            case DemoFault.Overfit:
                rows.RemoveRange(DemoSettings.OverfitTrainingImages, rows.Count - DemoSettings.OverfitTrainingImages); // a tiny training set
                break;
            case DemoFault.BatchNorm:
                // Every epoch ends in a batch of one image, through BatchNorm1d in train mode.
                int keep = ((rows.Count - 1) / settings.BatchSize * settings.BatchSize) + 1;
                rows.RemoveRange(keep, rows.Count - keep);
                break;
        }
    }

    /// <summary>Reports each epoch to the progress bar and passes each step on.</summary>
    private sealed class ProgressObserver(int epochs, Action<double, string?> progress) : ITrainingObserver
    {
        public Action<StepResult> Step { get; set; } = _ => { };

        public void OnStepEnd(StepResult result) => Step(result);

        public void OnEpochEnd(EpochMetrics metrics)
        {
            string heldOut = metrics.Values.TryGetValue("validation/accuracy", out double accuracy)
                ? string.Create(CultureInfo.InvariantCulture, $"  held-out loss {metrics.Values["validation/loss"]:F4}, accuracy {accuracy:P1}")
                : "";
            progress(metrics.Epoch + 1, string.Create(CultureInfo.InvariantCulture,
                $"epoch {metrics.Epoch + 1,3}/{epochs}  mean loss {metrics.MeanLoss:F4}{heldOut}"));
        }
    }
}
