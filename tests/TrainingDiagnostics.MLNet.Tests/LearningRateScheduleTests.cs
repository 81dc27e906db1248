using Microsoft.ML;
using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>The trainer's learning-rate schedule: the factor of each step reaches the optimizer (seen in the run's records), and a Heal change is kept.</summary>
[TestClass]
public sealed class LearningRateScheduleTests
{
    private static TorchModuleTransformer Fit(Func<long, double>? schedule, AnomalyPolicy policy = AnomalyPolicy.SkipStep)
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var keyed = context.Transforms.Conversion.MapValueToKey("Label", "Class").Append(context.Transforms.NormalizeMeanVariance("Features")).Fit(data);
        return context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(13, 8, 3),
            Epochs = 3,
            BatchSize = 50,
            Seed = 1,
            LearningRate = 0.01,
            LearningRateSchedule = schedule,
            Monitor = new MonitorOptions { Policy = policy, PublishMetrics = false },
        }).Fit(keyed.Transform(data));
    }

    [TestMethod]
    public void EachStepTrainsAtTheLearningRateTimesTheSchedulesFactor()
    {
        var model = Fit(step => step < 5 ? 1.0 : step < 8 ? 0.1 : 2.0);
        var rates = model.Run.Steps.Select(s => s.LearningRate!.Value).ToArray();
        Assert.AreEqual(12, rates.Length, "178 rows in batches of 50 for 3 epochs");
        for (int step = 0; step < rates.Length; step++)
            Assert.AreEqual(0.01 * (step < 5 ? 1.0 : step < 8 ? 0.1 : 2.0), rates[step], 1e-12, $"step {step}");
    }

    [TestMethod]
    public void WithoutAScheduleTheRateIsConstant() =>
        Assert.IsTrue(Fit(null).Run.Steps.All(s => s.LearningRate == 0.01));

    [TestMethod]
    public void AFactorThatIsNotPositiveIsRefusedWithTheStep()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Fit(step => step == 3 ? 0 : 1));
        StringAssert.Contains(ex.Message, "at step 3");
    }
}
