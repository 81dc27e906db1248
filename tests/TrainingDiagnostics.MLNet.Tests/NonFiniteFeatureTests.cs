using Microsoft.ML;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class NonFiniteFeatureTests
{
    [TestMethod]
    public void Non_finite_features_reaching_the_trainer_become_a_forward_anomaly_naming_the_input_and_never_a_NaN_model()
    {
        var context = new MLContext(seed: 1);
        var rows = Datasets.WineRows();
        rows[10].Features[3] = float.NaN; // one corrupt measurement
        var data = context.Data.LoadFromEnumerable(rows);
        var model = context.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions { ModelFactory = () => Models.Mlp(13, 8, 3), Epochs = 2, BatchSize = 32, Seed = 1 }))
            .Fit(data);
        var run = model.LastTransformer.Run;
        Assert.HasCount(2, run.Anomalies, "the corrupt row is in one batch per epoch");
        foreach (AnomalyEvent anomaly in run.Anomalies)
        {
            Assert.AreEqual(AnomalyKind.NonFiniteInput, anomaly.Kind);
            Assert.AreEqual(AnomalyPhase.Forward, anomaly.Phase);
            Assert.AreEqual("input", anomaly.ModulePath);
            StringAssert.Contains(anomaly.Message, "the data is the producer");
            Assert.AreEqual(1, anomaly.NaNCount);
        }

        var named = run.DataProfiles.SelectMany(p => p.Findings).Single(f => f.Rule == "data-nonfinite-trainer-input");
        Assert.AreEqual("Features", named.Column);
        StringAssert.Contains(named.Title, "1 training row(s)");

        foreach (var p in model.LastTransformer.Module.parameters())
        {
            Assert.IsTrue(p.isfinite().all().item<bool>(), "the policy skipped the poisoned steps: every weight is finite");
        }
    }
}
