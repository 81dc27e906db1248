using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// Issue target: localizing an anomaly by replay costs at most 4 plain steps. The anomalous step here is a backward NaN
/// (sqrt of a value that reaches exactly 0 inside the network), the most expensive case: forward hooks, grad probes at every module
/// boundary and a backward pass under anomaly mode.
/// </summary>
[MemoryDiagnoser(false)]
public class ReplayBenchmarks
{
    private nn.Module<Tensor, Tensor> _model = null!;
    private optim.Optimizer _optimizer = null!;
    private TrainingMonitor _monitor = null!;
    private Tensor _x = null!;
    private Tensor _healthyX = null!;
    private Tensor _y = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One libtorch thread: on a shared 2-core machine, two intra-op threads contend with other processes and the
        // step time swings by 10x; one thread gives stable ratios.
        BenchmarkThreads.Use(1, nameof(ReplayBenchmarks));
        manual_seed(1);
        _model = nn.Sequential(
            ("fc1", nn.Linear(784, 1024)), ("sqrt", new GatedAbs()), ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(1024, 1024)), ("relu2", nn.ReLU()),
            ("fc3", nn.Linear(1024, 10)));
        using (no_grad())
            _model.parameters().ElementAt(1).zero_(); // fc1's bias: a zero input row stays exactly zero
        _optimizer = optim.SGD(_model.parameters(), 1e-3);
        _monitor = new TrainingMonitor(_model, new MonitorOptions { PublishMetrics = false, Policy = AnomalyPolicy.Record });
        var generator = new Generator(7);
        _x = randn(128, 784, generator: generator);
        _y = randint(0, 10, 128, generator: generator);
        _healthyX = _x.clone();
        _x[0] = zeros(784);
    }

    [GlobalCleanup]
    public void Cleanup() => _monitor.Dispose();

    private Tensor Loss() => nn.functional.cross_entropy(_model.call(_x), _y);

    /// <summary>A plain step of the same model on the same batch without its zero row: every value stays finite, so the
    /// baseline never steps on NaN weights (NaN arithmetic has its own speed).</summary>
    [Benchmark(Baseline = true, Description = "plain step (healthy batch)")]
    public void PlainStep()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        nn.functional.cross_entropy(_model.call(_healthyX), _y).backward();
        _optimizer.step();
    }

    /// <summary>The anomalous step under the Record policy, with no optimizer step: the weights stay finite.</summary>
    [Benchmark(Description = "monitored anomalous step (detect + replay + localize)")]
    public int AnomalousStepWithReplay()
    {
        using var scope = NewDisposeScope();
        return _monitor.Step(0, Loss).Anomalies.Count;
    }

    /// <summary>x + gate·sqrt(x²) with a zero-initialized gate: finite forward; backward, where x is exactly 0, sqrt's
    /// infinite derivative meets a zero incoming gradient, 0/0 = NaN in SqrtBackward0.</summary>
    private sealed class GatedAbs : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter gate = nn.Parameter(zeros(1));

        public GatedAbs() : base(nameof(GatedAbs)) => RegisterComponents();

        public override Tensor forward(Tensor x) => x + gate * (x * x).sqrt();
    }
}
