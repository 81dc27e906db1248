using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Kernels;

/// <summary>
/// Issue 4 target: the derivatives of orders 0..4 of exp(sin x)·x² over 10^6 points (float64), the engine
/// (one jet per point) against nested TorchSharp autograd (the baseline: four backward passes, each
/// differentiating the previous derivative with create_graph). Goal: 10x.
/// </summary>
[MemoryDiagnoser(false)]
public class TaylorOrdersBenchmarks
{
    private double[] _points = null!;
    private Tensor _x = null!;
    private PointwiseEngine _cpu = null!;
    private PointwiseEngine _accelerator = null!;
    private double[][] _destination = null!;

    [Params(1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(0, nameof(TaylorOrdersBenchmarks));
        var random = new Random(2);
        _points = new double[N];
        for (int i = 0; i < N; i++)
        {
            _points[i] = 6 * random.NextDouble() - 3;
        }

        _x = tensor(_points);
        _destination = [.. Enumerable.Range(0, 5).Select(_ => new double[N])];
        _cpu = new PointwiseEngine(AcceleratorPreference.Cpu);
        _accelerator = new PointwiseEngine(AcceleratorPreference.CpuAccelerator);
        _accelerator.Derivatives<ExpSinTimesSquare>(_points, 4);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _cpu.Dispose();
        _accelerator.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp nested autograd, orders 0..4")]
    public double NestedAutograd()
    {
        using var scope = NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var derivative = exp(sin(x)) * x * x;
        double sum = derivative.data<double>()[0];
        for (int k = 1; k <= 4; k++)
        {
            // Elementwise: the gradient of Σ g(x_i) is g'(x) (retain_graph: TorchSharp does not imply it).
            derivative = autograd.grad(
                new[] { derivative }, new[] { x }, new[] { ones_like(derivative) },
                retain_graph: true, create_graph: k < 4)[0];
            sum += derivative.data<double>()[0];
        }

        return sum;
    }

    [Benchmark(Description = "PointwiseEngine, CPU executor, orders 0..4")]
    public double EngineCpu() => _cpu.Derivatives<ExpSinTimesSquare>(_points, 4)[4][0];

    [Benchmark(Description = "PointwiseEngine, CPU executor, SIMD lanes, orders 0..4")]
    public double EngineCpuLanes() => _cpu.Derivatives<ExpSinTimesSquareLanes>(_points, 4)[4][0];

    [Benchmark(Description = "PointwiseEngine, CPU executor, SIMD lanes, into kept arrays")]
    public double EngineCpuLanesIntoKeptArrays()
    {
        _cpu.Derivatives<ExpSinTimesSquareLanes>(_points, _destination);
        return _destination[4][0];
    }

    [Benchmark(Description = "PointwiseEngine, ILGPU CPU accelerator, orders 0..4")]
    public double EngineCpuAccelerator() => _accelerator.Derivatives<ExpSinTimesSquare>(_points, 4)[4][0];
}
