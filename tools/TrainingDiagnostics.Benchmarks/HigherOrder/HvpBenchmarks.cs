using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.HigherOrder;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.HigherOrder;

/// <summary>
/// Issue target: a Hessian-vector product of an MLP loss costs at most 3x the gradient of the same loss. Baseline: one
/// forward and one backward pass (the gradient). Against it: a fresh <see cref="HessianOperator"/> and one Apply (forward,
/// backward building a graph, backward through it), and one more Apply on a kept operator (one backward pass).
/// </summary>
[MemoryDiagnoser(false)]
public class HvpBenchmarks
{
    private Sequential _model = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private Tensor _v = null!;
    private HessianOperator _kept = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1); // stable ratios on a shared machine
        Console.WriteLine($"// libtorch intra-op threads: {get_num_threads()}");
        manual_seed(1);
        _model = nn.Sequential(
            ("fc1", nn.Linear(64, 256)), ("act1", nn.Tanh()),
            ("fc2", nn.Linear(256, 256)), ("act2", nn.Tanh()),
            ("fc3", nn.Linear(256, 10)));
        _x = randn(128, 64);
        _y = randint(0, 10, new long[] { 128 });
        _kept = HessianOperator.ForLoss(_model, Loss);
        _v = randn(_kept.Dimension);
        Console.WriteLine($"// MLP 64-256-256-10 (tanh), batch 128, float32: {_kept.Dimension} parameters");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _kept.Dispose();
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
        _v.Dispose();
    }

    private Tensor Loss() => nn.functional.cross_entropy(_model.call(_x), _y);

    [Benchmark(Baseline = true, Description = "gradient (forward + backward)")]
    public float Gradient()
    {
        using var scope = NewDisposeScope();
        _model.zero_grad();
        Loss().backward();
        return _model.parameters().First().grad!.data<float>()[0];
    }

    [Benchmark(Description = "HVP: ForLoss + Apply (fresh)")]
    public float FreshHvp()
    {
        using var scope = NewDisposeScope();
        using var h = HessianOperator.ForLoss(_model, Loss);
        return h.Apply(_v).data<float>()[0];
    }

    /// <summary>The same reverse-over-reverse product written directly against TorchSharp (no checks, no state restored): what libtorch itself costs.</summary>
    [Benchmark(Description = "HVP: raw torch.autograd.grad twice")]
    public float RawHvp()
    {
        using var scope = NewDisposeScope();
        var parameters = _model.parameters().Cast<Tensor>().ToArray();
        var gradients = autograd.grad(new[] { Loss() }, parameters, create_graph: true, retain_graph: true);
        Tensor? directional = null;
        long offset = 0;
        foreach (var g in gradients)
        {
            var term = (g * _v.narrow(0, offset, g.numel()).view(g.shape)).sum();
            directional = directional is null ? term : directional + term;
            offset += g.numel();
        }
        var products = autograd.grad(new[] { directional! }, parameters);
        return products[0].data<float>()[0];
    }

    [Benchmark(Description = "HVP: Apply on a kept operator")]
    public float KeptHvp()
    {
        using var scope = NewDisposeScope();
        return _kept.Apply(_v).data<float>()[0];
    }
}
