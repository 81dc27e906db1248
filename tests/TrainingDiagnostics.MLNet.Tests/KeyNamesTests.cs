using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.MLNet.Internal;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>The key values of a multiclass label, read through ML.NET's public GetKeyValues, as the trainer keeps them.</summary>
[TestClass]
public sealed class KeyNamesTests
{
    public sealed class AnimalRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public string Animal { get; set; } = "";

        public float Number { get; set; }

        public int Count { get; set; }
    }

    // Each class a blob: the module learns them in a few epochs.
    private static readonly AnimalRow[] Rows = Enumerable.Range(0, 60).Select(i => new AnimalRow
    {
        Features = [(i % 3) * 2f + (i % 7) * 0.01f, -(i % 3) + (i % 5) * 0.01f],
        Animal = (i % 3) switch { 0 => "cat", 1 => "dog", _ => "bird" },
        Number = (i % 3) * 1.5f,
        Count = 10 - (i % 3),
    }).ToArray();

    private static DataViewSchema.Column Keyed(MLContext context, string input)
    {
        var data = context.Data.LoadFromEnumerable(Rows);
        return context.Transforms.Conversion.MapValueToKey("Label", input).Fit(data).Transform(data).Schema["Label"];
    }

    [TestMethod]
    [DataRow("Animal", new[] { "cat", "dog", "bird" })]
    [DataRow("Number", new[] { "0", "1.5", "3" })]
    [DataRow("Count", new[] { "10", "9", "8" })]
    public void Key_names_are_the_labels_values_in_order_of_occurrence_as_text_whatever_their_type(string input, string[] expected)
    {
        var context = new MLContext(seed: 1);
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        try
        {
            CollectionAssert.AreEqual(expected, KeyNames.Of(Keyed(context, input)));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [TestMethod]
    public void A_column_without_key_values_has_no_key_names()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows);

        Assert.IsNull(KeyNames.Of(data.Schema["Animal"]));
        Assert.IsNull(KeyNames.Of(data.Schema["Features"]));
    }

    [TestMethod]
    public void A_module_trained_on_text_labels_predicts_keys_whose_values_are_those_labels_after_SaveModule_and_Load()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows);
        var prepare = context.Transforms.Conversion.MapValueToKey("Label", "Animal").Fit(data);
        var prepared = prepare.Transform(data);
        using var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(2, 8, 3),
            Task = TorchModuleTask.MulticlassClassification,
            Epochs = 2,
            BatchSize = 20,
            Seed = 3,
        }).Fit(prepared);
        string path = Path.Combine(Path.GetTempPath(), $"tdiag-mlnet-{Guid.NewGuid():N}-animals.bin");
        trainer.SaveModule(path);

        using var loaded = TorchModuleTransformer.Load(new MLContext(seed: 2), path, () => Models.Mlp(2, 8, 3));
        var predicted = loaded.Transform(prepared).Schema["PredictedLabel"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        predicted.GetKeyValues(ref names);

        CollectionAssert.AreEqual(new[] { "cat", "dog", "bird" }, names.DenseValues().Select(n => n.ToString()).ToArray());
        File.Delete(path);
    }
}
