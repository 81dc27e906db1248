using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Autodiff;

/// <summary>
/// Issue target: Jacobian(Auto) of a 256 -> 64 map faster than TorchSharp's <c>torch.autograd.functional.jacobian</c>.
/// Both take one backward pass per output element; ours reuses one basis vector and skips the per-element select node.
/// </summary>
[MemoryDiagnoser(false)]
public class JacobianBenchmarks
{
    private Tensor _x = null!;
    private Tensor _w = null!;
    private Tensor _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(1, nameof(JacobianBenchmarks));
        var generator = new Generator(42);
        _x = randn(256, generator: generator);
        _w = randn(64, 256, generator: generator) / 16;
        _b = randn(64, generator: generator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x.Dispose();
        _w.Dispose();
        _b.Dispose();
    }

    private Tensor Layer(Tensor x) => (_w.matmul(x) + _b).tanh();

    [Benchmark(Baseline = true, Description = "torch.autograd.functional.jacobian")]
    public float TorchSharpJacobian()
    {
        using var scope = NewDisposeScope();
        return autograd.functional.jacobian(Layer, _x).data<float>()[0];
    }

    [Benchmark(Description = "Autodiff.Jacobian (Auto)")]
    public float AutodiffJacobian()
    {
        using var scope = NewDisposeScope();
        return TrainingDiagnostics.Autodiff.Jacobian(Layer, _x).data<float>()[0];
    }

    [Benchmark(Description = "Autodiff.Jacobian (Forward)")]
    public float AutodiffJacobianForward()
    {
        using var scope = NewDisposeScope();
        return TrainingDiagnostics.Autodiff.Jacobian(Layer, _x, JacobianMode.Forward).data<float>()[0];
    }
}
