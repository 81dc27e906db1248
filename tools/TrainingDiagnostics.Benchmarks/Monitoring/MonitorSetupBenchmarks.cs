using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// What the monitor costs in the setups users run, as ratios to a plain step (forward, backward, optimizer step) in the same
/// run: a large MLP (784-1024-1024-10, batch 128) and a small tabular one (64-32-32-10, batch 64), each with and without
/// BatchNorm, with the defaults users get (run log on, metrics published), with neither, under the Rollback policy, and
/// under libtorch's anomaly mode. Threads: libtorch's default and one, as a parameter; the count in force is printed.
/// </summary>
[MemoryDiagnoser(false)]
public class MonitorSetupBenchmarks
{
    private nn.Module<Tensor, Tensor> _model = null!;
    private optim.Optimizer _optimizer = null!;
    private TrainingMonitor _defaults = null!;
    private TrainingMonitor _bare = null!;
    private TrainingMonitor _rollback = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private string _folder = null!;
    private long _step;

    /// <summary>The model and optimizer.</summary>
    [Params("784-1024-1024-10 SGD", "784-1024-1024-10 BN Adam", "64-32-32-10 Adam", "64-32-32-10 BN Adam")]
    public string Setup { get; set; } = "";

    /// <summary>libtorch intra-op threads: 0 keeps libtorch's default.</summary>
    [Params(0, 1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup_()
    {
        BenchmarkThreads.Use(Threads, $"{nameof(MonitorSetupBenchmarks)} {Setup}");
        manual_seed(1);
        bool large = Setup.StartsWith("784", StringComparison.Ordinal);
        bool batchNorm = Setup.Contains("BN", StringComparison.Ordinal);
        int input = large ? 784 : 64, hidden = large ? 1024 : 32, batch = large ? 128 : 64;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc1", nn.Linear(input, hidden)) };
        if (batchNorm)
            layers.Add(("bn1", nn.BatchNorm1d(hidden)));
        layers.Add(("relu1", nn.ReLU()));
        layers.Add(("fc2", nn.Linear(hidden, hidden)));
        if (batchNorm)
            layers.Add(("bn2", nn.BatchNorm1d(hidden)));
        layers.Add(("relu2", nn.ReLU()));
        layers.Add(("fc3", nn.Linear(hidden, 10)));
        _model = nn.Sequential(layers);
        _optimizer = Setup.EndsWith("SGD", StringComparison.Ordinal) ? optim.SGD(_model.parameters(), 1e-3) : optim.Adam(_model.parameters(), 1e-4);
        _folder = Path.Combine(Path.GetTempPath(), $"tdiag-bench-{Guid.NewGuid():N}");
        _defaults = new TrainingMonitor(_model, new MonitorOptions { Optimizer = _optimizer, RunLogPath = Path.Combine(_folder, "run.jsonl") });
        _bare = new TrainingMonitor(_model, new MonitorOptions { Optimizer = _optimizer, PublishMetrics = false });
        _rollback = new TrainingMonitor(_model, new MonitorOptions { Optimizer = _optimizer, Policy = AnomalyPolicy.Rollback, RunLogPath = Path.Combine(_folder, "rollback.jsonl") });
        var generator = new Generator(7);
        _x = randn(batch, input, generator: generator);
        _y = randint(0, 10, batch, generator: generator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // A healthy benchmark raises nothing: an alarm would make the Rollback case restore state instead of measuring it.
        foreach (var (name, monitor) in new[] { ("defaults", _defaults), ("bare", _bare), ("rollback", _rollback) })
            Console.WriteLine($"// {Setup}, {name}: {monitor.Run.Steps.Count} steps in memory, {monitor.Run.Anomalies.Count} anomalies " +
                string.Join(", ", monitor.Run.Anomalies.GroupBy(a => a.Kind).Select(g => $"{g.Key} x{g.Count()}")));
        _defaults.Dispose();
        _bare.Dispose();
        _rollback.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private Tensor Loss() => nn.functional.cross_entropy(_model.call(_x), _y);

    [Benchmark(Baseline = true, Description = "plain step")]
    public void Plain()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        Loss().backward();
        _optimizer.step();
    }

    [Benchmark(Description = "monitor, defaults (run log + metrics)")]
    public void MonitorDefaults() => Monitored(_defaults);

    [Benchmark(Description = "monitor, no log, no metrics")]
    public void MonitorBare() => Monitored(_bare);

    [Benchmark(Description = "monitor, Rollback policy (log + metrics)")]
    public void MonitorRollback() => Monitored(_rollback);

    [Benchmark(Description = "libtorch anomaly mode")]
    public void AnomalyMode()
    {
        using var scope = NewDisposeScope();
        using var anomaly = autograd.detect_anomaly();
        _optimizer.zero_grad();
        Loss().backward();
        _optimizer.step();
    }

    private void Monitored(TrainingMonitor monitor)
    {
        using var scope = NewDisposeScope();
        if (monitor.Step(_step++, Loss).ShouldStep)
            _optimizer.step();
    }
}
