using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TrainingDiagnostics.MLNet;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.MLNet;

/// <summary>
/// Issue 20 target: scoring 100,000 rows x 30 features with an MLP 30-32-1 (binary) through ML.NET (<c>Transform</c>, then
/// a cursor that reads <c>PredictedLabel</c>) reaches at least 500,000 rows/s and stays within 4x of the same forward
/// written in TorchSharp, batched (the baseline: batches of 1024 rows copied from a .NET array into a tensor, one forward
/// pass, the logits read back and compared with 0). ML.NET's own SDCA logistic regression, scored the same way, is the
/// second reference; the transformer with <c>ScoringBatchSize = 1</c> is the row-at-a-time scoring of earlier versions.
/// </summary>
[Config(typeof(Columns))]
public class MLNetScoringBenchmarks
{
    /// <summary>Rows scored per operation.</summary>
    public const int Rows = 100_000;

    private const int FeatureCount = 30;
    private const int Batch = 1024;
    private float[] _features = [];
    private IDataView _data = null!;
    private TorchModuleTransformer _torch = null!;
    private ITransformer _sdca = null!;
    private nn.Module<Tensor, Tensor> _module = null!;

    /// <summary>libtorch's intra-op threads: 1 (stable ratios on a shared machine), or 0 for libtorch's default.</summary>
    [Params(1, 0)]
    public int LibTorchThreads { get; set; }

    private sealed class Row
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(LibTorchThreads, nameof(MLNetScoringBenchmarks));
        var random = new Random(1);
        var weights = Enumerable.Range(0, FeatureCount).Select(_ => random.NextDouble() - 0.5).ToArray();
        var rows = new List<Row>(Rows);
        for (int r = 0; r < Rows; r++)
        {
            var x = new float[FeatureCount];
            double dot = 0;
            for (int j = 0; j < FeatureCount; j++)
            {
                x[j] = (float)(2 * random.NextDouble() - 1);
                dot += weights[j] * x[j];
            }

            rows.Add(new Row { Features = x, Label = dot > 0 });
        }

        _features = rows.SelectMany(r => r.Features).ToArray();
        var context = new MLContext(seed: 1);
        _data = context.Data.LoadFromEnumerable(rows);
        // Scoring costs the same whatever the weights: both models train briefly on the first rows.
        var train = context.Data.TakeRows(_data, 5_000);
        _torch = context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = () => nn.Sequential(("fc1", nn.Linear(FeatureCount, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 1))),
            Task = TorchModuleTask.BinaryClassification,
            Epochs = 1,
            Seed = 1,
            Monitor = new MonitorOptions { PublishMetrics = false },
        }).Fit(train);
        _module = _torch.Module;
        _sdca = context.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 5).Fit(train);
        long agree = Transformer(Batch) - TorchSharpBatched();
        Console.WriteLine($"// {nameof(MLNetScoringBenchmarks)}: {Rows:N0} rows x {FeatureCount} features; positive labels, transformer minus TorchSharp: {agree}");
    }

    [GlobalCleanup]
    public void Cleanup() => _torch.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp forward, batches of 1024")]
    public long TorchSharpBatched()
    {
        long positive = 0;
        var buffer = new float[Batch * FeatureCount];
        var logits = new float[Batch];
        using var noGrad = no_grad();
        for (int start = 0; start < Rows; start += Batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(Batch, Rows - start);
            _features.AsSpan(start * FeatureCount, n * FeatureCount).CopyTo(buffer);
            Tensor y = _module.call(tensor(buffer, [Batch, FeatureCount]).narrow(0, 0, n));
            y.data<float>().CopyTo(logits);
            for (int i = 0; i < n; i++)
            {
                positive += logits[i] > 0 ? 1 : 0;
            }
        }

        return positive;
    }

    [Benchmark(Description = "TorchModuleTransformer, ScoringBatchSize 1024 (default)")]
    public long TransformerBatched() => Transformer(Batch);

    [Benchmark(Description = "TorchModuleTransformer, ScoringBatchSize 1 (row at a time, as before)")]
    public long TransformerRowAtATime() => Transformer(1);

    [Benchmark(Description = "ML.NET SdcaLogisticRegression transformer")]
    public long Sdca() => CountPredicted(_sdca.Transform(_data));

    private long Transformer(int batch)
    {
        _torch.ScoringBatchSize = batch;
        return CountPredicted(_torch.Transform(_data));
    }

    private static long CountPredicted(IDataView scored)
    {
        var column = scored.Schema["PredictedLabel"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<bool>(column);
        bool value = false;
        long positive = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            positive += value ? 1 : 0;
        }

        return positive;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new RowsPerSecondColumn());
    }
}
