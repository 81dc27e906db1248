using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class WinePipelineTests
{
    public sealed class ClassZero
    {
        public bool Label { get; set; }
    }

    public sealed class AlcoholRow
    {
        [VectorType(12)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    [TestMethod]
    public void Wine_class_0_versus_rest_evaluates_through_MLNet_binary_evaluator_with_AUC_above_0_97()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var (train, test) = Datasets.Split(context, data);
        var pipeline = context.Transforms.CustomMapping((WineRow w, ClassZero o) => o.Label = w.Class == 0, contractName: null)
            .Append(context.Transforms.NormalizeMeanVariance("Features"))
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
            {
                ModelFactory = () => Models.Mlp(13, 16, 1),
                Task = TorchModuleTask.BinaryClassification,
                Epochs = 30,
                BatchSize = 16,
                LearningRate = 0.01,
                Seed = 3,
            }));
        var model = pipeline.Fit(train);
        var metrics = context.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThanOrEqualTo(0.97, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.IsGreaterThanOrEqualTo(0.9, metrics.Accuracy, $"accuracy {metrics.Accuracy}");
    }

    [TestMethod]
    public void Wine_alcohol_from_the_other_12_columns_evaluates_through_MLNet_regression_evaluator_with_R2_above_0_5()
    {
        var context = new MLContext(seed: 1);
        var rows = Datasets.WineRows().Select(w => new AlcoholRow { Features = w.Features[1..], Label = w.Features[0] }).ToList();
        var data = context.Data.LoadFromEnumerable(rows);
        var (train, test) = Datasets.Split(context, data);
        var pipeline = context.Transforms.NormalizeMeanVariance("Features")
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
            {
                ModelFactory = () => Models.Mlp(12, 16, 1),
                Task = TorchModuleTask.Regression,
                Epochs = 200,
                BatchSize = 16,
                LearningRate = 0.03,
                Seed = 3,
            }));
        var model = pipeline.Fit(train);
        var metrics = context.Regression.Evaluate(model.Transform(test));
        // The mean alcohol is 13.0 with a standard deviation of 0.81: predicting the mean gives R² = 0 and RMSE ~0.8.
        Assert.IsGreaterThanOrEqualTo(0.5, metrics.RSquared, $"R² {metrics.RSquared}, RMSE {metrics.RootMeanSquaredError}");
        Assert.IsLessThan(0.6, metrics.RootMeanSquaredError, $"RMSE {metrics.RootMeanSquaredError}");
    }
}
