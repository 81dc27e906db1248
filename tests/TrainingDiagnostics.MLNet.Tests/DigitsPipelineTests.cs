using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class DigitsPipelineTests
{
    public static (MLContext Context, ITransformer Model, TorchModuleTransformer Trainer, IDataView Test) TrainDigits(int epochs = 10)
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.DigitRows());
        var (train, test) = Datasets.Split(context, data);
        var pipeline = context.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(context.Diagnostics().ProfileData("Features"))
            .Append(context.Transforms.NormalizeMinMax("Features"))
            .Append(context.Diagnostics().FlagNonFinite("Features"))
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
            {
                ModelFactory = () => Models.Mlp(64, 32, 10),
                Task = TorchModuleTask.MulticlassClassification,
                Epochs = epochs,
                BatchSize = 64,
                LearningRate = 0.01,
                Seed = 42,
            }));
        var model = pipeline.Fit(train);
        return (context, model, model.LastTransformer, test);
    }

    [TestMethod]
    public void Digits_through_an_MLNet_pipeline_reach_93_percent_held_out_accuracy_with_per_layer_norms_at_every_step()
    {
        var (context, model, trainer, test) = TrainDigits();
        var metrics = context.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThanOrEqualTo(0.93, metrics.MicroAccuracy, $"held-out accuracy {metrics.MicroAccuracy}");

        DiagnosticsRun run = trainer.Run;
        int trainRows = (int)(1797 - context.Data.CreateEnumerable<DigitRow>(test, reuseRowObject: false).Count());
        int expectedSteps = 10 * ((trainRows + 63) / 64);
        Assert.HasCount(expectedSteps, run.Steps);
        CollectionAssert.AreEqual(Enumerable.Range(0, expectedSteps).Select(i => (long)i).ToList(), run.Steps.Select(s => s.Step).ToList());
        foreach (var step in run.Steps)
        {
            Assert.IsTrue(step.Layers.Count >= 4 && step.Layers.All(l => l.GradientNorm is double g && double.IsFinite(g) && g > 0),
                $"step {step.Step}: {step.Layers.Count} layers with gradient norms");
        }

        Assert.IsEmpty(run.Anomalies);
        Assert.HasCount(2, run.DataProfiles, "the pipeline's profile of the raw pixels and the monitor's of the trainer's input");
        var input = run.DataProfiles.Single(p => p.Name == InstrumentMetricNames.InputProfile);
        Assert.IsEmpty(input.Findings, "min-max scaled pixels in [0, 1] are normalized input");
    }

    [TestMethod]
    public void PredictedLabel_is_a_key_with_the_label_key_values_and_Score_a_vector_of_probabilities()
    {
        var (_, model, _, test) = TrainDigits(epochs: 1);
        var scored = model.Transform(test);
        var predicted = scored.Schema["PredictedLabel"];
        Assert.IsInstanceOfType<Microsoft.ML.Data.KeyDataViewType>(predicted.Type);
        Assert.AreEqual(10UL, ((Microsoft.ML.Data.KeyDataViewType)predicted.Type).Count);
        Microsoft.ML.Data.VBuffer<float> keys = default;
        predicted.GetKeyValues(ref keys);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), keys.DenseValues().OrderBy(k => k).ToArray());
        var scores = scored.GetColumn<float[]>("Score").Take(20).ToList();
        foreach (var s in scores)
        {
            Assert.HasCount(10, s);
            Assert.AreEqual(1.0, s.Sum(), 1e-4);
        }
    }
}
