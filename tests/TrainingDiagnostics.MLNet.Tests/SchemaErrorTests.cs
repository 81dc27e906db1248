using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class SchemaErrorTests
{
    public sealed class TextFeatures
    {
        public string Features { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class VariableFeatures
    {
        [VectorType]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class NamedFeatures
    {
        [VectorType(2)]
        public float[] Pixels { get; set; } = [];

        public bool Label { get; set; }
    }

    private static TorchModuleTrainer Trainer(MLContext context) => context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
    {
        ModelFactory = () => Models.Mlp(2, 4, 1),
        Task = TorchModuleTask.BinaryClassification,
        Epochs = 1,
    });

    [TestMethod]
    public void A_missing_feature_column_fails_in_Fit_naming_the_column_and_the_expected_type()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new NamedFeatures { Pixels = [1, 2], Label = true } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => Trainer(context).Fit(data));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "Vector<Single> of known size");
        StringAssert.Contains(error.Message, "'Pixels' (Vector<Single, 2>)"); // what the data has instead
    }

    [TestMethod]
    public void A_feature_column_of_the_wrong_type_fails_in_Fit_naming_column_expected_and_actual()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new TextFeatures { Features = "1,2", Label = true } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => Trainer(context).Fit(data));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "Vector<Single> of known size");
        StringAssert.Contains(error.Message, "but it is String");
    }

    [TestMethod]
    public void A_variable_size_feature_vector_fails_in_Fit_naming_column_expected_and_actual()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new VariableFeatures { Features = [1, 2], Label = true } });
        var error = Assert.ThrowsExactly<ArgumentException>(() => Trainer(context).Fit(data));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "Vector<Single> of known size");
        StringAssert.Contains(error.Message, "Vector<Single> of variable size");
    }

    [TestMethod]
    public void A_label_of_the_wrong_type_fails_in_Fit_naming_column_expected_and_actual()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new WineRow { Features = new float[13], Class = 1 } });
        var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(13, 4, 3),
            Task = TorchModuleTask.MulticlassClassification,
            LabelColumnName = "Class",
        });
        var error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit(data));
        StringAssert.Contains(error.Message, "'Class'");
        StringAssert.Contains(error.Message, "Key<UInt32>");
        StringAssert.Contains(error.Message, "but it is Single");
    }
}
