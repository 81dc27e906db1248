using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.HigherOrder;

/// <summary>
/// Hutch++ against Hutchinson at 30, 60 and 120 matvecs on a Hessian with a decaying spectrum (λ_i = 1/i², n = 400,
/// randomly rotated). The timings are the estimators' cost; the <c>MeanRelErr</c> column is their accuracy: the mean
/// |estimate - tr(H)| / tr(H) over 20 seeds, computed deterministically in the host process by <see cref="RelativeErrorColumn"/>
/// (it does not depend on the timing run).
/// </summary>
[MemoryDiagnoser(false)]
[Config(typeof(AccuracyConfig))]
public class TraceAccuracyBenchmarks
{
    internal const int Dimension = 400;
    internal const int Seeds = 20;

    private HessianOperator _h = null!;
    private Tensor _a = null!;

    [Params(30, 60, 120)]
    public int MatVecs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        Console.WriteLine($"// libtorch intra-op threads: {get_num_threads()}");
        (_h, _a) = Problem();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _h.Dispose();
        _a.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Hutchinson")]
    public double Hutchinson() => Curvature.Trace(_h, Options(TraceMethod.Hutchinson, MatVecs, 0)).Value;

    [Benchmark(Description = "Hutch++")]
    public double HutchPlusPlus() => Curvature.Trace(_h, Options(TraceMethod.HutchPlusPlus, MatVecs, 0)).Value;

    internal static TraceOptions Options(TraceMethod method, int matVecs, int seed) =>
        new() { Method = method, MaxMatVecs = matVecs, MinMatVecs = matVecs, Tolerance = 0, Seed = seed };

    /// <summary>0.5 xᵀAx with A = Q diag(1/i²) Qᵀ; its Hessian is A, tr(A) = Σ 1/i².</summary>
    internal static (HessianOperator H, Tensor A) Problem()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7, CPU);
        var (q, _) = linalg.qr(randn(new long[] { Dimension, Dimension }, ScalarType.Float64, generator: generator));
        var spectrum = tensor(Enumerable.Range(1, Dimension).Select(i => 1.0 / ((double)i * i)).ToArray());
        var a = q.matmul(diag(spectrum)).matmul(q.t()).MoveToOuterDisposeScope();
        var h = HessianOperator.ForFunction(x => 0.5 * x.dot(a.mv(x)), zeros(Dimension, ScalarType.Float64));
        return (h, a);
    }

    internal static double Truth => Enumerable.Range(1, Dimension).Sum(i => 1.0 / ((double)i * i));

    private sealed class AccuracyConfig : ManualConfig
    {
        public AccuracyConfig() => AddColumn(new RelativeErrorColumn());
    }
}
