using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Kernels;

/// <summary>
/// Issue 4 targets: the first derivative of sin over 10^7 points (float64) with the engine on the CPU is
/// at least 2x faster than TorchSharp autograd (<c>y.backward(ones_like(x))</c>) and within 2x of a
/// hand-written Parallel.For computing cos (the baseline). The engine also returns sin itself (order 0), so it
/// computes sin and cos; "into kept arrays" reuses result arrays as the hand-written loop does. "SIMD lanes" is
/// the same sin written over IJet (ILaneFunction), which the CPU executor runs on its order-1 lane jet; the
/// plain rows are the scalar Jet path.
/// </summary>
[MemoryDiagnoser(false)]
public class SinDerivativeBenchmarks
{
    private double[] _points = null!;
    private double[] _cos = null!;
    private double[][] _destination = null!;
    private Tensor _x = null!;
    private PointwiseEngine _cpu = null!;
    private PointwiseEngine _accelerator = null!;

    [Params(10_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(0, nameof(SinDerivativeBenchmarks));
        var random = new Random(1);
        _points = new double[N];
        for (int i = 0; i < N; i++)
        {
            _points[i] = 10 * random.NextDouble() - 5;
        }

        _cos = new double[N];
        _destination = [new double[N], new double[N]];
        _x = tensor(_points);
        _cpu = new PointwiseEngine(AcceleratorPreference.Cpu);
        _accelerator = new PointwiseEngine(AcceleratorPreference.CpuAccelerator);
        // Compile the kernel and size the device buffers outside the measurement.
        _accelerator.Derivatives<SinFunction>(_points, 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _cpu.Dispose();
        _accelerator.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Parallel.For of Math.Cos (hand-written)")]
    public double HandWrittenCos()
    {
        var points = _points;
        var cos = _cos;
        Parallel.For(0, Environment.ProcessorCount * 4, chunk =>
        {
            int size = (points.Length + Environment.ProcessorCount * 4 - 1) / (Environment.ProcessorCount * 4);
            int end = Math.Min(points.Length, (chunk + 1) * size);
            for (int i = chunk * size; i < end; i++)
            {
                cos[i] = Math.Cos(points[i]);
            }
        });
        return cos[0];
    }

    [Benchmark(Description = "PointwiseEngine, CPU executor (orders 0..1)")]
    public double EngineCpu() => _cpu.Derivatives<SinFunction>(_points, 1)[1][0];

    [Benchmark(Description = "PointwiseEngine, CPU executor, into kept arrays")]
    public double EngineCpuIntoKeptArrays()
    {
        _cpu.Derivatives<SinFunction>(_points, _destination);
        return _destination[1][0];
    }

    [Benchmark(Description = "PointwiseEngine, CPU executor, SIMD lanes (orders 0..1)")]
    public double EngineCpuLanes() => _cpu.Derivatives<SinLanes>(_points, 1)[1][0];

    [Benchmark(Description = "PointwiseEngine, CPU executor, SIMD lanes, into kept arrays")]
    public double EngineCpuLanesIntoKeptArrays()
    {
        _cpu.Derivatives<SinLanes>(_points, _destination);
        return _destination[1][0];
    }

    [Benchmark(Description = "PointwiseEngine, ILGPU CPU accelerator (orders 0..1)")]
    public double EngineCpuAccelerator() => _accelerator.Derivatives<SinFunction>(_points, 1)[1][0];

    [Benchmark(Description = "TorchSharp autograd: sin(x).backward(ones)")]
    public double TorchAutograd()
    {
        using var scope = NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var y = x.sin();
        y.backward(new[] { ones_like(y) });
        return x.grad!.data<double>()[0];
    }
}
