using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>
/// The transformer scores in batches: every row of real data (wine) gets the scores of a one-row forward pass of the same
/// module (the scoring of earlier versions), for each task, at batch sizes that do and do not divide the row count; and
/// cursors over any subset of columns, parallel cursor sets and prediction engines keep working.
/// </summary>
[TestClass]
public sealed class BatchScoringTests
{
    public sealed class IndexedWine
    {
        public int Index { get; set; }

        [VectorType(13)]
        public float[] Features { get; set; } = [];

        public float Class { get; set; }

        public float Alcohol { get; set; }
    }

    public sealed class RegressionWine
    {
        public int Index { get; set; }

        [VectorType(12)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    public sealed class BinaryLabel
    {
        public bool Label { get; set; }
    }

    /// <summary>The wine rows (178: a multiple of none of the batch sizes tried), normalized, and a module trained on them for the task.</summary>
    private static (MLContext Context, IDataView Rows, TorchModuleTransformer Model) Trained(TorchModuleTask task)
    {
        var context = new MLContext(seed: 1);
        var wine = Datasets.WineRows();
        IDataView data;
        IEstimator<ITransformer> prepare;
        int features = 13, outputs = 1;
        switch (task)
        {
            case TorchModuleTask.BinaryClassification:
                data = context.Data.LoadFromEnumerable(wine.Select((w, i) => new IndexedWine { Index = i, Features = w.Features, Class = w.Class }));
                prepare = context.Transforms.CustomMapping((IndexedWine w, BinaryLabel o) => o.Label = w.Class == 0, contractName: null);
                break;
            case TorchModuleTask.MulticlassClassification:
                data = context.Data.LoadFromEnumerable(wine.Select((w, i) => new IndexedWine { Index = i, Features = w.Features, Class = w.Class }));
                prepare = context.Transforms.Conversion.MapValueToKey("Label", "Class");
                outputs = 3;
                break;
            default:
                data = context.Data.LoadFromEnumerable(wine.Select((w, i) => new RegressionWine { Index = i, Features = w.Features[1..], Label = w.Features[0] }));
                prepare = context.Transforms.CopyColumns("Target", "Label");
                features = 12;
                break;
        }

        var prepared = prepare.Append(context.Transforms.NormalizeMeanVariance("Features")).Fit(data).Transform(data);
        var model = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => Models.Mlp(features, 16, outputs),
            Task = task,
            Epochs = 5,
            BatchSize = 16,
            LearningRate = 0.01,
            Seed = 3,
        }).Fit(prepared);
        return (context, prepared, model);
    }

    /// <summary>The reference: one forward pass per row on a [1, features] tensor, then the task's link (softmax for multiclass).</summary>
    private static float[][] RowAtATime(TorchModuleTransformer model, IReadOnlyList<float[]> rows)
    {
        using var noGrad = no_grad();
        return rows.Select(row =>
        {
            using var scope = NewDisposeScope();
            Tensor y = model.Module.call(tensor(row, [1, row.Length])).reshape(-1);
            return (model.Task == TorchModuleTask.MulticlassClassification ? nn.functional.softmax(y, 0) : y).data<float>().ToArray();
        }).ToArray();
    }

    private sealed record ScoredRow(int Index, float[] Features, float[] Score, float Probability, string Label);

    /// <summary>Every row's columns through one cursor of the scored view; columns not asked for come back empty.</summary>
    private static List<ScoredRow> Read(DataViewRowCursor cursor, TorchModuleTask task)
    {
        var schema = cursor.Schema;
        bool Has(string name) => schema.GetColumnOrNull(name) is { } c && cursor.IsColumnActive(c);
        var index = Has("Index") ? cursor.GetGetter<int>(schema["Index"]) : null;
        var features = Has("Features") ? cursor.GetGetter<VBuffer<float>>(schema["Features"]) : null;
        bool multiclass = task == TorchModuleTask.MulticlassClassification;
        var vectorScore = Has("Score") && multiclass ? cursor.GetGetter<VBuffer<float>>(schema["Score"]) : null;
        var score = Has("Score") && !multiclass ? cursor.GetGetter<float>(schema["Score"]) : null;
        var probability = Has("Probability") ? cursor.GetGetter<float>(schema["Probability"]) : null;
        var boolLabel = Has("PredictedLabel") && !multiclass ? cursor.GetGetter<bool>(schema["PredictedLabel"]) : null;
        var keyLabel = Has("PredictedLabel") && multiclass ? cursor.GetGetter<uint>(schema["PredictedLabel"]) : null;
        var result = new List<ScoredRow>();
        while (cursor.MoveNext())
        {
            int i = -1;
            index?.Invoke(ref i);
            VBuffer<float> f = default, s = default;
            features?.Invoke(ref f);
            vectorScore?.Invoke(ref s);
            float one = float.NaN, p = float.NaN;
            score?.Invoke(ref one);
            probability?.Invoke(ref p);
            bool b = false;
            uint k = 0;
            boolLabel?.Invoke(ref b);
            keyLabel?.Invoke(ref k);
            string label = boolLabel is not null ? b.ToString() : keyLabel is not null ? k.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            result.Add(new ScoredRow(i, f.DenseValues().ToArray(), vectorScore is not null ? s.DenseValues().ToArray() : score is not null ? [one] : [], p, label));
        }

        return result;
    }

    private static List<ScoredRow> ReadAll(IDataView scored, TorchModuleTask task, params string[] columns)
    {
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => columns.Contains(c.Name)));
        return Read(cursor, task);
    }

    /// <summary>What the row-at-a-time outputs mean in ML.NET's columns: the label, and the probability (binary).</summary>
    private static (string Label, float Probability) Expected(TorchModuleTask task, float[] outputs) => task switch
    {
        TorchModuleTask.BinaryClassification => ((outputs[0] > 0).ToString(), 1f / (1f + MathF.Exp(-outputs[0]))),
        TorchModuleTask.MulticlassClassification => ((Array.IndexOf(outputs, outputs.Max()) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), float.NaN),
        _ => ("", float.NaN),
    };

    private static List<float[]> FeaturesOf(IDataView rows) =>
        rows.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();

    private static readonly string[] EveryColumn = ["Index", "Features", "Score", "Probability", "PredictedLabel"];

    [TestMethod]
    [DataRow(TorchModuleTask.BinaryClassification)]
    [DataRow(TorchModuleTask.MulticlassClassification)]
    [DataRow(TorchModuleTask.Regression)]
    public void Every_row_gets_the_scores_of_a_one_row_forward_pass_at_batch_sizes_1_7_64_and_the_default(TorchModuleTask task)
    {
        var (_, rows, model) = Trained(task);
        Assert.AreEqual(1024, model.ScoringBatchSize, "the trainer's default");
        var features = FeaturesOf(rows);
        Assert.HasCount(178, features);
        float[][] reference = RowAtATime(model, features);
        foreach (int batch in new[] { 1, 7, 64, 1024 })
        {
            model.ScoringBatchSize = batch;
            var scored = ReadAll(model.Transform(rows), task, EveryColumn);
            Assert.HasCount(178, scored, $"batch {batch}: one scored row per input row");
            for (int r = 0; r < scored.Count; r++)
            {
                var row = scored[r];
                Assert.AreEqual(r, row.Index, $"batch {batch}: the input columns stay with their row");
                CollectionAssert.AreEqual(features[r], row.Features, $"batch {batch}, row {r}: features as they came");
                var (label, probability) = Expected(task, reference[r]);
                Assert.AreEqual(label, row.Label, $"batch {batch}, row {r}: predicted label");
                Assert.HasCount(reference[r].Length, row.Score);
                for (int k = 0; k < reference[r].Length; k++)
                {
                    if (batch == 1)
                    {
                        // The same [1, features] forward pass as the reference: the same bits.
                        Assert.AreEqual(reference[r][k], row.Score[k], 0f, $"batch 1, row {r}, output {k}");
                    }
                    else
                    {
                        // libtorch multiplies many rows with another kernel than one row: float32 rounding apart.
                        Assert.AreEqual(reference[r][k], row.Score[k], 2e-6f * (1 + Math.Abs(reference[r][k])), $"batch {batch}, row {r}, output {k}");
                    }
                }

                if (task == TorchModuleTask.BinaryClassification)
                {
                    Assert.AreEqual(probability, row.Probability, batch == 1 ? 0f : 1e-6f, $"batch {batch}, row {r}: probability");
                }
            }
        }
    }

    [TestMethod]
    public void Cursors_over_Score_only_over_input_columns_only_and_over_no_column_read_every_row()
    {
        var (_, rows, model) = Trained(TorchModuleTask.MulticlassClassification);
        model.ScoringBatchSize = 7;
        var features = FeaturesOf(rows);
        float[][] reference = RowAtATime(model, features);
        var scored = model.Transform(rows);

        var scoreOnly = ReadAll(scored, TorchModuleTask.MulticlassClassification, "Score");
        Assert.HasCount(178, scoreOnly);
        for (int r = 0; r < 178; r++)
        {
            CollectionAssert.AreEqual(reference[r], scoreOnly[r].Score, new ToleranceComparer(2e-6f), $"row {r}");
        }

        var labelOnly = ReadAll(scored, TorchModuleTask.MulticlassClassification, "PredictedLabel");
        CollectionAssert.AreEqual(reference.Select(p => Expected(TorchModuleTask.MulticlassClassification, p).Label).ToList(), labelOnly.Select(r => r.Label).ToList());

        var inputOnly = ReadAll(scored, TorchModuleTask.MulticlassClassification, "Index", "Features");
        CollectionAssert.AreEqual(Enumerable.Range(0, 178).ToList(), inputOnly.Select(r => r.Index).ToList());
        Assert.IsTrue(inputOnly.Select(r => r.Features).Zip(features).All(p => p.First.SequenceEqual(p.Second)));

        var nothing = ReadAll(scored, TorchModuleTask.MulticlassClassification);
        Assert.HasCount(178, nothing);
        Assert.AreEqual(rows.GetRowCount(), scored.GetRowCount(), "the row count is the input's");
    }

    [TestMethod]
    public void Parallel_cursors_of_a_cached_view_each_score_their_own_rows()
    {
        var (context, rows, model) = Trained(TorchModuleTask.BinaryClassification);
        model.ScoringBatchSize = 5;
        var features = FeaturesOf(rows);
        float[][] reference = RowAtATime(model, features);
        var cached = context.Data.Cache(rows);
        var scored = model.Transform(cached);
        var columns = scored.Schema.Where(c => c.Name is "Index" or "Score" or "PredictedLabel");
        var cursors = scored.GetRowCursorSet(columns, 3);
        Assert.IsGreaterThan(1, cursors.Length, "ML.NET's cache offers parallel cursors: the scored view passes them on");
        var parts = new List<ScoredRow>[cursors.Length];
        Parallel.For(0, cursors.Length, i =>
        {
            using var cursor = cursors[i];
            parts[i] = Read(cursor, TorchModuleTask.BinaryClassification);
        });
        var all = parts.SelectMany(p => p).OrderBy(r => r.Index).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(0, 178).ToList(), all.Select(r => r.Index).ToList(), "every row once");
        foreach (var row in all)
        {
            Assert.AreEqual(reference[row.Index][0], row.Score[0], 2e-6f * (1 + Math.Abs(reference[row.Index][0])), $"row {row.Index}");
            Assert.AreEqual(Expected(TorchModuleTask.BinaryClassification, reference[row.Index]).Label, row.Label, $"row {row.Index}");
        }
    }

    [TestMethod]
    public void A_shuffled_cursor_keeps_each_rows_score_with_its_row()
    {
        var (context, rows, model) = Trained(TorchModuleTask.Regression);
        model.ScoringBatchSize = 16;
        float[][] reference = RowAtATime(model, FeaturesOf(rows));
        var scored = model.Transform(context.Data.Cache(rows));
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Index" or "Score"), new Random(5));
        var read = Read(cursor, TorchModuleTask.Regression);
        Assert.IsFalse(read.Select(r => r.Index).SequenceEqual(Enumerable.Range(0, 178)), "the cache shuffles when given a Random");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 178).ToList(), read.Select(r => r.Index).ToList());
        foreach (var row in read)
        {
            Assert.AreEqual(reference[row.Index][0], row.Score[0], 2e-6f * (1 + Math.Abs(reference[row.Index][0])), $"row {row.Index}");
        }
    }

    [TestMethod]
    public void A_prediction_engine_still_scores_one_row_per_forward_pass_with_the_reference_bits()
    {
        var (context, rows, model) = Trained(TorchModuleTask.BinaryClassification);
        var features = FeaturesOf(rows);
        float[][] reference = RowAtATime(model, features);
        var engine = context.Model.CreatePredictionEngine<FeaturesOnly, BinaryPrediction>(model);
        for (int r = 0; r < 178; r += 11)
        {
            var prediction = engine.Predict(new FeaturesOnly { Features = features[r] });
            Assert.AreEqual(reference[r][0], prediction.Score, 0f, $"row {r}");
            Assert.AreEqual(reference[r][0] > 0, prediction.PredictedLabel, $"row {r}");
        }
    }

    public sealed class FeaturesOnly
    {
        [VectorType(13)]
        public float[] Features { get; set; } = [];
    }

    public sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    [TestMethod]
    public void A_batch_size_below_1_is_refused_by_the_options_and_the_transformer()
    {
        var context = new MLContext(seed: 1);
        var options = new TorchModuleTrainerOptions { ModelFactory = () => Models.Mlp(2, 2, 1), Task = TorchModuleTask.Regression, ScoringBatchSize = 0 };
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => context.Diagnostics().TorchModule(options));
        StringAssert.Contains(error.Message, "at least 1");
        var (_, _, model) = Trained(TorchModuleTask.Regression);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.ScoringBatchSize = -3);
        Assert.AreEqual(1024, model.ScoringBatchSize);
    }

    [TestMethod]
    public void A_row_with_the_wrong_feature_count_fails_its_own_read_with_a_clear_error_and_the_other_rows_score()
    {
        var (context, rows, model) = Trained(TorchModuleTask.BinaryClassification);
        model.ScoringBatchSize = 7;
        var features = FeaturesOf(rows).Take(20).ToList();
        float[][] reference = RowAtATime(model, features);
        // ML.NET passes a class's array through as it is, whatever the [VectorType(13)] of its schema says.
        var input = features.Select(f => new FeaturesOnly { Features = f }).ToList();
        input[12] = new FeaturesOnly { Features = features[12][..12] };
        var scored = model.Transform(context.Data.LoadFromEnumerable(input));
        using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float value = 0;
        for (int r = 0; r < 20; r++)
        {
            Assert.IsTrue(cursor.MoveNext());
            if (r == 12)
            {
                var error = Assert.ThrowsExactly<InvalidOperationException>(() => score(ref value));
                StringAssert.Contains(error.Message, "Row 12 of the feature column 'Features' has 12 values, but the module was trained on 13");
                continue;
            }

            score(ref value);
            Assert.AreEqual(reference[r][0], value, 2e-6f * (1 + Math.Abs(reference[r][0])), $"row {r} (row 12's batch is rows 7..13)");
        }

        var engine = context.Model.CreatePredictionEngine<FeaturesOnly, BinaryPrediction>(model);
        var single = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(input[12]));
        StringAssert.Contains(single.Message, "has 12 values, but the module was trained on 13");
        Assert.AreEqual(reference[3][0], engine.Predict(input[3]).Score, 0f, "the engine still works after the error");
    }

    private sealed class ToleranceComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? x, object? y) => Math.Abs((float)x! - (float)y!) <= tolerance * (1 + Math.Abs((float)y!)) ? 0 : 1;
    }
}
