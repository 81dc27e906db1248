using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class FlagNonFiniteTests
{
    public sealed class ScalarRow
    {
        public double D { get; set; }

        public float F { get; set; }
    }

    public sealed class VectorRow
    {
        [VectorType(3)]
        public double[] Fixed { get; set; } = [];

        [VectorType]
        public double[] Variable { get; set; } = [];
    }

    /// <summary>Wine's 13 measurements as Double, and a 14th engineered feature exp(proline / 10), finite in Double but beyond Single's range for proline above 887.</summary>
    public sealed class WineDoubleRow
    {
        [VectorType(14)]
        public double[] Features { get; set; } = [];

        public float Class { get; set; }
    }

    private static int[] Counts(MLContext context, IDataView data, string column) =>
        context.Diagnostics().FlagNonFinite(column).Fit(data).Transform(data).GetColumn<int>("NonFiniteCount").ToArray();

    [TestMethod]
    public void A_finite_double_above_floats_range_is_not_flagged_and_double_NaN_and_infinities_are_in_a_scalar_column()
    {
        var context = new MLContext(seed: 1);
        double[] values = [1e300, -1e300, 3.5e38, double.MaxValue, double.Epsilon, 0, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        var data = context.Data.LoadFromEnumerable(values.Select(v => new ScalarRow { D = v }).ToArray());
        var flagged = context.Diagnostics().FlagNonFinite("D").Fit(data).Transform(data);

        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1 }, flagged.GetColumn<int>("NonFiniteCount").ToArray());
        CollectionAssert.AreEqual(new[] { false, false, false, false, false, false, true, true, true }, flagged.GetColumn<bool>("HasNonFinite").ToArray());
        Assert.IsNull(flagged.Schema.GetColumnOrNull(Mapping.NonFiniteDoubleInput.ColumnName), "the fixed-name copy is dropped");
        CollectionAssert.AreEqual(values, flagged.GetColumn<double>("D").ToArray(), "the checked column passes through unchanged");
    }

    [TestMethod]
    public void Double_vectors_of_known_and_variable_size_are_checked_as_Double()
    {
        var context = new MLContext(seed: 1);
        var rows = new[]
        {
            new VectorRow { Fixed = [1e300, 3.5e38, -1e39], Variable = [1e300] },
            new VectorRow { Fixed = [double.NaN, 1e308, double.PositiveInfinity], Variable = [] },
            new VectorRow { Fixed = [double.NegativeInfinity, double.NegativeInfinity, double.NaN], Variable = [double.NaN, -1e200, double.PositiveInfinity, 2] },
            new VectorRow { Fixed = [1, 2, 3], Variable = [1, 2, 3, 4, 5] },
        };
        var data = context.Data.LoadFromEnumerable(rows);

        CollectionAssert.AreEqual(new[] { 0, 2, 3, 0 }, Counts(context, data, "Fixed"));
        CollectionAssert.AreEqual(new[] { 0, 0, 2, 0 }, Counts(context, data, "Variable"));
    }

    [TestMethod]
    public void Single_columns_are_checked_as_Single_as_before()
    {
        var context = new MLContext(seed: 1);
        float[] values = [float.MaxValue, -float.MaxValue, float.Epsilon, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1];
        var data = context.Data.LoadFromEnumerable(values.Select(v => new ScalarRow { F = v }).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 1, 1, 1, 0 }, Counts(context, data, "F"));
    }

    [TestMethod]
    public void A_Double_column_stays_checked_as_Double_after_Model_Save_and_Load()
    {
        var context = new MLContext(seed: 1);
        var rows = new[] { new ScalarRow { D = 1e300 }, new ScalarRow { D = double.NaN }, new ScalarRow { D = -1e39 }, new ScalarRow { D = double.NegativeInfinity } };
        var data = context.Data.LoadFromEnumerable(rows);
        var model = context.Diagnostics().FlagNonFinite("D").Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"tdiag-mlnet-{Guid.NewGuid():N}-flag-double.zip");
        try
        {
            context.Model.Save(model, data.Schema, path);
            var loader = new MLContext(seed: 2);
            _ = loader.Diagnostics(); // registers the factories' assembly, as a loading context must
            var after = loader.Model.Load(path, out _).Transform(loader.Data.LoadFromEnumerable(rows));
            CollectionAssert.AreEqual(new[] { 0, 1, 0, 1 }, after.GetColumn<int>("NonFiniteCount").ToArray());
            CollectionAssert.AreEqual(new[] { false, true, false, true }, after.GetColumn<bool>("HasNonFinite").ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Wine_as_Double_with_an_engineered_feature_beyond_floats_range_flags_only_the_corrupted_rows()
    {
        var rows = Datasets.WineRows().Select(w => new WineDoubleRow
        {
            Features = [.. w.Features.Select(v => (double)v), Math.Exp(w.Features[12] / 10.0)],
            Class = w.Class,
        }).ToList();
        int beyondSingle = rows.Count(r => r.Features[13] > float.MaxValue);
        Assert.IsGreaterThan(10, beyondSingle, "the engineered feature must exceed Single's range in many rows for this test to mean anything");
        Assert.IsTrue(rows.All(r => r.Features.All(double.IsFinite)), "the real data is finite");

        // Plant the corruption: row -> (slot, value).
        var planted = new Dictionary<int, (int Slot, double Value)[]>
        {
            [5] = [(3, double.NaN)],
            [50] = [(0, double.PositiveInfinity), (13, double.NaN)],
            [177] = [(13, double.NegativeInfinity)],
        };
        foreach (var (row, cells) in planted)
        {
            foreach (var (slot, value) in cells)
            {
                rows[row].Features[slot] = value;
            }
        }

        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(rows);
        var model = context.Diagnostics().ProfileData("Features")
            .Append(context.Diagnostics().FlagNonFinite("Features"))
            .Fit(data);
        var flagged = model.Transform(data);

        int[] counts = flagged.GetColumn<int>("NonFiniteCount").ToArray();
        int[] expected = Enumerable.Range(0, rows.Count).Select(i => planted.TryGetValue(i, out var cells) ? cells.Length : 0).ToArray();
        CollectionAssert.AreEqual(expected, counts);
        Assert.AreEqual(planted.Count, flagged.GetColumn<bool>("HasNonFinite").Count(b => b));

        // The documented way to drop the flagged rows keeps every other row, those beyond Single's range included.
        var kept = context.Data.FilterByCustomPredicate<Mapping.NonFiniteOutput>(flagged, row => row.HasNonFinite);
        double[][] keptFeatures = kept.GetColumn<double[]>("Features").ToArray();
        Assert.HasCount(rows.Count - planted.Count, keptFeatures);
        Assert.AreEqual(rows.Where((_, i) => !planted.ContainsKey(i)).Count(r => r.Features[13] > float.MaxValue), keptFeatures.Count(f => f[13] > float.MaxValue));

        // The data profile reads the same column by its own path, in Double: it must agree on the total.
        var profile = context.Diagnostics().Records.DataProfiles.Single();
        Assert.AreEqual((long)planted.Values.Sum(c => c.Length), profile.Columns.Single(c => c.Name == "Features").NonFiniteCount);
    }
}
