using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>
/// Every estimator of the project checks column types in GetOutputSchema as in Fit, with the same error: the column, the
/// expected type and the actual one. (ML.NET's EstimatorChain.Fit calls GetOutputSchema before any stage fits.)
/// </summary>
[TestClass]
public sealed class OutputSchemaTypeTests
{
    public sealed class WrongRow
    {
        public string Text { get; set; } = "";

        public bool Flag { get; set; }

        [VectorType(3)]
        public int[] Counts { get; set; } = [];

        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private static readonly WrongRow[] Rows = [new() { Text = "1.5", Flag = true, Counts = [1, 2, 3], Features = [1, 2], Label = 1 }];

    /// <summary>The shape ML.NET's own EstimatorChain.Fit builds from the data's schema (SchemaShape.Create is internal to ML.NET).</summary>
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    private static (ArgumentException FromFit, ArgumentException FromShape) Errors<T>(IEstimator<T> estimator, IDataView data)
        where T : class, ITransformer
    {
        var fromShape = Assert.ThrowsExactly<ArgumentException>(() => estimator.GetOutputSchema(ShapeOf(data.Schema)));
        var fromFit = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(data));
        return (fromFit, fromShape);
    }

    private static void AssertNames(string message, string column, string expected, string actual)
    {
        StringAssert.Contains(message, $"'{column}'");
        StringAssert.Contains(message, $"must be of type {expected}");
        StringAssert.Contains(message, $"but it is {actual}");
    }

    [TestMethod]
    public void FlagNonFinite_on_a_String_column_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var (fit, shape) = Errors(context.Diagnostics().FlagNonFinite("Text"), context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Text", "Single or Double, or a vector of them", "String.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void FlagNonFinite_on_an_integer_vector_names_the_vector_type_in_both_checks()
    {
        var context = new MLContext(seed: 1);
        var (fit, shape) = Errors(context.Diagnostics().FlagNonFinite("Counts"), context.Data.LoadFromEnumerable(Rows));
        AssertNames(fit.Message, "Counts", "Single or Double, or a vector of them", "Vector<Int32, 3>");
        AssertNames(shape.Message, "Counts", "Single or Double, or a vector of them", "Vector<Int32> of known size"); // a shape has no sizes
    }

    [TestMethod]
    public void ProfileData_on_a_Boolean_column_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var (fit, shape) = Errors(context.Diagnostics().ProfileData("Features", "Flag"), context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Flag", "Single or Double, or a vector of them", "Boolean.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void PointwiseDerivatives_on_a_String_column_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var (fit, shape) = Errors(context.Diagnostics().PointwiseDerivatives<SinLanes>("D", "Text", order: 1), context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Text", "Single or Double, or a vector of them", "String.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void TorchModule_with_String_features_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(2, 4, 1),
            Task = TorchModuleTask.Regression,
            FeatureColumnName = "Text",
        });
        var (fit, shape) = Errors(trainer, context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Text", "Vector<Single> of known size", "String.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void TorchModule_with_a_Single_label_for_multiclass_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(2, 4, 3),
            Task = TorchModuleTask.MulticlassClassification,
        });
        var (fit, shape) = Errors(trainer, context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Label", "Key<UInt32> with a known count of classes", "Single.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void TorchModule_with_a_Boolean_label_for_regression_fails_in_GetOutputSchema_with_the_error_of_Fit()
    {
        var context = new MLContext(seed: 1);
        var trainer = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(2, 4, 1),
            Task = TorchModuleTask.Regression,
            LabelColumnName = "Flag",
        });
        var (fit, shape) = Errors(trainer, context.Data.LoadFromEnumerable(Rows));
        AssertNames(shape.Message, "Flag", "Single", "Boolean.");
        Assert.AreEqual(fit.Message, shape.Message);
    }

    [TestMethod]
    public void An_observed_estimator_passes_the_wrapped_estimators_type_error_through_unchanged()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows);
        var (_, plain) = Errors(context.Diagnostics().FlagNonFinite("Text"), data);
        var observed = context.Diagnostics().Observe(context.Diagnostics().FlagNonFinite("Text"), "flag");
        var (fit, shape) = Errors(observed, data);
        Assert.AreEqual(plain.Message, shape.Message);
        Assert.AreEqual(plain.Message, fit.Message);
        StringAssert.Contains(observed.LastFit!.Error, "'Text'", "the failed fit is recorded with its error");
    }

    [TestMethod]
    public void A_missing_column_fails_in_GetOutputSchema_with_the_error_of_Fit_listing_the_columns_the_data_has()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new FlagNonFiniteTests.ScalarRow { D = 1, F = 1 } });
        var (fit, shape) = Errors(context.Diagnostics().ProfileData("Pixels"), data);
        StringAssert.Contains(shape.Message, "'Pixels' was not found");
        StringAssert.Contains(shape.Message, "Single or Double, or a vector of them");
        StringAssert.Contains(shape.Message, "The data has: 'D' (Double), 'F' (Single).");
        Assert.AreEqual(fit.Message, shape.Message, "scalar columns read the same in a schema and in a shape");
    }

    [TestMethod]
    public void In_a_pipeline_the_type_error_comes_from_GetOutputSchema_before_any_stage_fits()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows);
        var profile = context.Diagnostics().ProfileData("Features");
        var pipeline = profile.Append(context.Diagnostics().FlagNonFinite("Text"));
        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(data));
        AssertNames(error.Message, "Text", "Single or Double, or a vector of them", "String.");
        Assert.IsEmpty(context.Diagnostics().Records.DataProfiles, "the profile stage did not fit: the chain failed on the schema first");
    }

    [TestMethod]
    public void GetOutputSchema_of_FlagNonFinite_on_Single_and_Double_columns_adds_the_flags_and_drops_the_copies()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new FlagNonFiniteTests.ScalarRow { D = 1, F = 1 } });
        foreach (string column in new[] { "D", "F" })
        {
            var shape = context.Diagnostics().FlagNonFinite(column).GetOutputSchema(ShapeOf(data.Schema));
            var names = shape.Select(c => c.Name).ToList();
            CollectionAssert.IsSubsetOf(new[] { "D", "F", "HasNonFinite", "NonFiniteCount" }, names);
            CollectionAssert.DoesNotContain(names, Mapping.NonFiniteInput.ColumnName);
            CollectionAssert.DoesNotContain(names, Mapping.NonFiniteDoubleInput.ColumnName);
            var count = shape.Single(c => c.Name == "NonFiniteCount");
            Assert.AreEqual(NumberDataViewType.Int32, count.ItemType);
            Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, count.Kind);
        }
    }
}
