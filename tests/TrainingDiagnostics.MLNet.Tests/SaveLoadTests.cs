using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>sin, with the SIMD lane path.</summary>
public readonly struct SinLanes : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x)
        where T : struct, IJet<T> => T.Sin(x);
}

/// <summary>exp(x)·x², scalar path only.</summary>
public readonly struct ExpTimesSquare : IUnaryFunction
{
    public Jet Invoke(Jet x) => Jet.Exp(x) * x * x;
}

[TestClass]
public sealed class SaveLoadTests
{
    public sealed class Values
    {
        [VectorType(3)]
        public float[] Measurements { get; set; } = [];

        public float X { get; set; }
    }

    private static readonly Values[] Rows =
    [
        new() { Measurements = [1, float.NaN, 3], X = 0.5f },
        new() { Measurements = [1, 2, 3], X = -1.25f },
        new() { Measurements = [float.PositiveInfinity, float.NaN, float.NegativeInfinity], X = 2f },
    ];

    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"tdiag-mlnet-{Guid.NewGuid():N}-{name}");

    [TestMethod]
    public void FlagNonFinite_round_trips_through_Model_Save_and_Load_with_its_custom_input_column()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows);
        var model = context.Diagnostics().FlagNonFinite("Measurements").Fit(data);
        var before = model.Transform(data);
        CollectionAssert.AreEqual(new[] { 1, 0, 3 }, before.GetColumn<int>("NonFiniteCount").ToArray());
        CollectionAssert.AreEqual(new[] { true, false, true }, before.GetColumn<bool>("HasNonFinite").ToArray());
        Assert.IsNull(before.Schema.GetColumnOrNull(Mapping.NonFiniteInput.ColumnName), "the fixed-name copy is dropped");

        string path = TempFile("flag.zip");
        context.Model.Save(model, data.Schema, path);
        var loader = new MLContext(seed: 2);
        loader.ComponentCatalog.RegisterAssembly(typeof(DiagnosticsCatalog).Assembly); // what a loading context must do (or call loader.Diagnostics())
        var loaded = loader.Model.Load(path, out _);
        var after = loaded.Transform(loader.Data.LoadFromEnumerable(Rows));
        CollectionAssert.AreEqual(before.GetColumn<int>("NonFiniteCount").ToArray(), after.GetColumn<int>("NonFiniteCount").ToArray());
        CollectionAssert.AreEqual(before.GetColumn<bool>("HasNonFinite").ToArray(), after.GetColumn<bool>("HasNonFinite").ToArray());
        File.Delete(path);
    }

    [TestMethod]
    public void PointwiseDerivatives_of_sin_match_the_closed_form_and_round_trip_through_Model_Save_and_Load()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Rows.Select(r => new Values { Measurements = [0.1f, 1f, -2f], X = r.X }).ToArray());
        var model = context.Diagnostics().PointwiseDerivatives<SinLanes>("D", "Measurements", order: 3)
            .Append(context.Diagnostics().PointwiseDerivatives<ExpTimesSquare>("E", "X", order: 2))
            .Fit(data);
        var before = model.Transform(data);
        float[][] d = before.GetColumn<float[]>("D").ToArray();
        float[] points = [0.1f, 1f, -2f];
        foreach (float[] row in d)
        {
            Assert.HasCount(12, row); // order-major: f, f', f'', f''' for each of the 3 points
            for (int i = 0; i < 3; i++)
            {
                double x = points[i];
                Assert.AreEqual(Math.Sin(x), row[i], 1e-6);
                Assert.AreEqual(Math.Cos(x), row[3 + i], 1e-6);
                Assert.AreEqual(-Math.Sin(x), row[6 + i], 1e-6);
                Assert.AreEqual(-Math.Cos(x), row[9 + i], 1e-6);
            }
        }

        float[][] e = before.GetColumn<float[]>("E").ToArray();
        for (int r = 0; r < Rows.Length; r++)
        {
            double x = Rows[r].X;
            Assert.AreEqual(Math.Exp(x) * x * x, e[r][0], 1e-5 * Math.Max(1, Math.Abs(e[r][0])));
            Assert.AreEqual(Math.Exp(x) * ((x * x) + (2 * x)), e[r][1], 1e-5 * Math.Max(1, Math.Abs(e[r][1])));
            Assert.AreEqual(Math.Exp(x) * ((x * x) + (4 * x) + 2), e[r][2], 1e-5 * Math.Max(1, Math.Abs(e[r][2])));
        }

        string path = TempFile("derivatives.zip");
        context.Model.Save(model, data.Schema, path);
        var loader = new MLContext(seed: 2);
        loader.Diagnostics().RegisterPointwiseDerivatives<SinLanes>(3);
        loader.Diagnostics().RegisterPointwiseDerivatives<ExpTimesSquare>(2);
        var loaded = loader.Model.Load(path, out _);
        var after = loaded.Transform(data);
        var dAfter = after.GetColumn<float[]>("D").ToArray();
        var eAfter = after.GetColumn<float[]>("E").ToArray();
        for (int r = 0; r < Rows.Length; r++)
        {
            CollectionAssert.AreEqual(d[r], dAfter[r]);
            CollectionAssert.AreEqual(e[r], eAfter[r]);
        }

        File.Delete(path);
    }

    [TestMethod]
    public void Module_weights_round_trip_through_SaveModule_and_Load_with_identical_predictions()
    {
        var (context, model, trainer, test) = DigitsPipelineTests.TrainDigits(epochs: 2);
        var features = model.Transform(test); // holds the normalized features and the scores
        string path = TempFile("module.bin");
        trainer.SaveModule(path);
        var loaded = TorchModuleTransformer.Load(context, path, () => Models.Mlp(64, 32, 10));
        var before = features.GetColumn<float[]>("Score").ToArray();
        var after = loaded.Transform(context.Transforms.DropColumns("Score", "PredictedLabel").Fit(features).Transform(features)).GetColumn<float[]>("Score").ToArray();
        Assert.HasCount(before.Length, after);
        for (int i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], after[i]);
        }

        var metrics = context.MulticlassClassification.Evaluate(loaded.Transform(context.Transforms.DropColumns("Score", "PredictedLabel").Fit(features).Transform(features)));
        Assert.IsGreaterThan(0.8, metrics.MicroAccuracy);
        File.Delete(path);
    }

    [TestMethod]
    public void Model_Save_of_a_pipeline_with_the_torch_module_fails_with_a_message_that_points_to_SaveModule()
    {
        var (context, model, _, test) = DigitsPipelineTests.TrainDigits(epochs: 1);
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => context.Model.Save(model, test.Schema, stream));
        StringAssert.Contains(error.Message, "SaveModule");
        Assert.DoesNotContain("ModelSignature not specified", error.Message);
    }

    [TestMethod]
    public void PointwiseDerivatives_of_a_Double_column_load_in_a_context_that_only_called_Diagnostics_in_the_same_process()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(new[] { new DoubleRow { X = 0.25 }, new DoubleRow { X = -3 } });
        var model = context.Diagnostics().PointwiseDerivatives<ExpTimesSquare>("E", "X", order: 1).Fit(data);
        var before = model.Transform(data).GetColumn<float[]>("E").ToArray();
        Assert.AreEqual(Math.Exp(0.25) * ((0.25 * 0.25) + 0.5), before[0][1], 1e-6);
        string path = TempFile("double.zip");
        context.Model.Save(model, data.Schema, path);
        var loader = new MLContext(seed: 2);
        _ = loader.Diagnostics();
        var after = loader.Model.Load(path, out _).Transform(data).GetColumn<float[]>("E").ToArray();
        CollectionAssert.AreEqual(before[0], after[0]);
        CollectionAssert.AreEqual(before[1], after[1]);
        File.Delete(path);
    }

    public sealed class DoubleRow
    {
        public double X { get; set; }
    }
}
