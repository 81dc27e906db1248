using System.Globalization;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TrainingDiagnostics.MLNet;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.MLNet;

/// <summary>
/// Issue target: the ML.NET TorchModule trainer's Fit costs at most 1.15x the same training written as a plain TorchSharp
/// loop under the same <see cref="TrainingMonitor"/> (the baseline): digits (1797 images, features normalized to 0..1), MLP
/// 64-32-10, Adam lr 0.01, batch 64, 3 epochs, seeded shuffles. The trainer's extra work is reading the IDataView into
/// tensors, the observers and building the transformer. A third case, the plain loop without the monitor, shows what the
/// diagnostics themselves cost on a model this small (a fixed per-step cost, large beside a sub-millisecond step).
/// </summary>
/// <remarks>No MemoryDiagnoser: its extra, GC-heavy run once aborted inside TorchSharp's Adam.step
/// (<c>addcmul_</c>: "Expected false to be true" in <c>Scalar::toFloat</c>), most likely a Scalar finalized during the native
/// call; not seen in the timed runs or the tests.</remarks>
public class TorchModuleFitBenchmarks
{
    private const int Epochs = 3;
    private const int BatchSize = 64;
    private float[] _features = [];
    private long[] _labels = [];
    private MLContext _context = null!;
    private IDataView _data = null!;

    private sealed class Digit
    {
        [VectorType(64)]
        public float[] Features { get; set; } = [];

        [KeyType(10)]
        public uint Label { get; set; }
    }

    [GlobalSetup]
    public void Setup()
    {
        // One libtorch thread: on a shared 2-core machine two intra-op threads contend with other processes and swing step
        // times 10-40x. Printed so that the result files say which setting they measured.
        set_num_threads(1);
        Console.WriteLine($"// libtorch intra-op threads: {get_num_threads()}");
        var rows = new List<Digit>();
        using (var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz")))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.Length > 0)
                {
                    float[] cells = line.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    rows.Add(new Digit { Features = cells[..64].Select(v => v / 16f).ToArray(), Label = (uint)cells[64] + 1 });
                }
            }
        }

        _features = rows.SelectMany(r => r.Features).ToArray();
        _labels = rows.Select(r => (long)r.Label - 1).ToArray();
        _context = new MLContext(seed: 1);
        _data = _context.Data.LoadFromEnumerable(rows);
    }

    private static nn.Module<Tensor, Tensor> Mlp() => nn.Sequential(("fc1", nn.Linear(64, 32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 10)));

    [Benchmark(Baseline = true, Description = "TorchSharp loop + TrainingMonitor")]
    public double MonitoredLoop() => Loop(monitored: true);

    [Benchmark(Description = "ML.NET TorchModule trainer Fit")]
    public double TrainerFit()
    {
        var trainer = _context.Diagnostics().TorchModule(new TorchModuleTrainerOptions
        {
            ModelFactory = Mlp,
            Task = TorchModuleTask.MulticlassClassification,
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = 0.01,
            Seed = 1,
            Monitor = new MonitorOptions { PublishMetrics = false },
        });
        using var model = trainer.Fit(_data);
        return model.Run.Steps[^1].Loss;
    }

    [Benchmark(Description = "TorchSharp loop, no monitor")]
    public double PlainLoop() => Loop(monitored: false);

    private double Loop(bool monitored)
    {
        manual_seed(1);
        using var model = Mlp();
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        using var monitor = monitored ? new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Optimizer = optimizer }) : null;
        using Tensor x = tensor(_features, [_labels.Length, 64]);
        using Tensor y = tensor(_labels);
        var random = new Random(1);
        int[] order = Enumerable.Range(0, _labels.Length).ToArray();
        double last = 0;
        long step = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            model.train();
            random.Shuffle(order);
            for (int start = 0; start < order.Length; start += BatchSize, step++)
            {
                using var scope = NewDisposeScope();
                long[] batch = order[start..Math.Min(start + BatchSize, order.Length)].Select(i => (long)i).ToArray();
                Tensor index = tensor(batch);
                Tensor bx = x.index_select(0, index), by = y.index_select(0, index);
                if (monitor is not null)
                {
                    var result = monitor.Step(step, () => nn.functional.cross_entropy(model.call(bx), by));
                    if (result.ShouldStep)
                    {
                        optimizer.step();
                    }

                    last = result.Loss;
                }
                else
                {
                    optimizer.zero_grad();
                    Tensor loss = nn.functional.cross_entropy(model.call(bx), by);
                    loss.backward();
                    optimizer.step();
                    last = loss.item<float>();
                }
            }
        }

        return last;
    }
}
