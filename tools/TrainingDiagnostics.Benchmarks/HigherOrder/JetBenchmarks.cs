using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.HigherOrder;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.HigherOrder;

/// <summary>
/// Issue target: derivatives of orders 0..K along a direction through a 4-layer tanh MLP (float64, batch 256), one
/// Taylor-mode pass (<see cref="Taylor.Forward"/>) against nested autograd (<see cref="Taylor.DirectionalDerivatives"/>,
/// the baseline). Goal: 10x at order 4.
/// </summary>
[MemoryDiagnoser(false)]
public class JetBenchmarks
{
    private Sequential _model = null!;
    private Tensor _x = null!;
    private Tensor _v = null!;

    [Params(2, 4, 6)]
    public int Order { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1); // stable ratios on a shared machine
        Console.WriteLine($"// libtorch intra-op threads: {get_num_threads()}");
        manual_seed(2);
        _model = nn.Sequential(
            ("fc1", nn.Linear(16, 64, dtype: ScalarType.Float64)), ("act1", nn.Tanh()),
            ("fc2", nn.Linear(64, 64, dtype: ScalarType.Float64)), ("act2", nn.Tanh()),
            ("fc3", nn.Linear(64, 64, dtype: ScalarType.Float64)), ("act3", nn.Tanh()),
            ("fc4", nn.Linear(64, 64, dtype: ScalarType.Float64)), ("act4", nn.Tanh()),
            ("out", nn.Linear(64, 1, dtype: ScalarType.Float64)));
        _x = randn(256, 16, ScalarType.Float64);
        _v = randn(256, 16, ScalarType.Float64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _x.Dispose();
        _v.Dispose();
    }

    [Benchmark(Baseline = true, Description = "nested autograd (DirectionalDerivatives)")]
    public double NestedAutograd()
    {
        using var scope = NewDisposeScope();
        return Taylor.DirectionalDerivatives(x => _model.call(x), _x, _v, Order)[Order].data<double>()[0];
    }

    [Benchmark(Description = "Taylor-mode jets (Taylor.Forward)")]
    public double Jets()
    {
        using var scope = NewDisposeScope();
        return Taylor.Forward(_model, _x, _v, Order)[Order].data<double>()[0];
    }
}
