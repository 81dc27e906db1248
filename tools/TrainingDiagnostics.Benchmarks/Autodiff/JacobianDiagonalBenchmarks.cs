using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Autodiff;

/// <summary>
/// Issue target: JacobianDiagonal of sin on 10^6 elements within 1.2x of the bare libtorch pattern
/// <c>y.backward(ones_like(x))</c>. The first call for an f also proves the Jacobian diagonal (one more backward pass);
/// <see cref="FirstCallWithVerification"/> measures that cost by using a new delegate every time.
/// </summary>
[MemoryDiagnoser(false)]
public class JacobianDiagonalBenchmarks
{
    private Tensor _x = null!;
    private readonly Func<Tensor, Tensor> _sin = z => z.sin();
    private int _calls;

    [Params(1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(1, nameof(JacobianDiagonalBenchmarks));
        _x = linspace(0, Math.PI, N, dtype: ScalarType.Float32);
        Autodiff_JacobianDiagonal();
    }

    [GlobalCleanup]
    public void Cleanup() => _x.Dispose();

    [Benchmark(Baseline = true, Description = "libtorch: y.backward(ones_like(x))")]
    public float RawBackwardWithOnes()
    {
        using var scope = NewDisposeScope();
        var x = _x.detach().requires_grad_(true);
        var y = x.sin();
        y.backward(new[] { ones_like(y) });
        return x.grad!.data<float>()[0];
    }

    [Benchmark(Description = "Autodiff.JacobianDiagonal (same f)")]
    public float Autodiff_JacobianDiagonal()
    {
        using var scope = NewDisposeScope();
        return TrainingDiagnostics.Autodiff.JacobianDiagonal(_sin, _x).data<float>()[0];
    }

    [Benchmark(Description = "Autodiff.JacobianDiagonal (new f: with verification pass)")]
    public float FirstCallWithVerification()
    {
        using var scope = NewDisposeScope();
        // A capturing lambda is a new delegate at every call (a non-capturing one would be cached by the compiler).
        int call = _calls++;
        Func<Tensor, Tensor> fresh = z => call >= 0 ? z.sin() : z;
        return TrainingDiagnostics.Autodiff.JacobianDiagonal(fresh, _x).data<float>()[0];
    }
}
