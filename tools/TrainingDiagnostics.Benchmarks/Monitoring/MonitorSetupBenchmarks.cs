using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// What the monitor costs in the setups users run, as ratios to a plain step (forward, backward, optimizer step) in the same
/// run: a large MLP (784-1024-1024-10, batch 128) and a small tabular one (64-32-32-10, batch 64), each with and without
/// BatchNorm, with the defaults users get (run log on, metrics published), the same without the activation-health and
/// input-profile measurements and with activation health at every step, with neither log nor metrics, under the Rollback policy, and under libtorch's anomaly mode. Each configuration trains its own copy of the model (same initial weights), so that a
/// monitor's hooks run only in its own steps. Threads: libtorch's default and one, as a parameter; the count in force is printed.
/// The plain step is the baseline: the Ratio column is the monitor's cost (issue 20's target: 1.05 on the small models, with
/// defaults). To run the small models only (the large ones take minutes, and their default-threads Adam run can crash in
/// TorchSharp 0.107, see docs/libtorch.md): <c>TDIAG_MONITOR_SETUPS="64-32-32-10 Adam,64-32-32-10 BN Adam" dotnet
/// TrainingDiagnostics.Benchmarks.dll --filter '*MonitorSetupBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser(false)]
public class MonitorSetupBenchmarks
{
    private Subject _plain = null!;
    private Subject _defaults = null!;
    private Subject _withoutSilentFaultMeasurements = null!;
    private Subject _activationsEveryStep = null!;
    private Subject _bare = null!;
    private Subject _rollback = null!;
    private Tensor[] _x = [];
    private Tensor[] _y = [];
    private string _folder = null!;

    /// <summary>The environment variable that restricts the setups run (comma-separated, for example
    /// <c>TDIAG_MONITOR_SETUPS="64-32-32-10 Adam,64-32-32-10 BN Adam"</c> for the small models only); unset: all four.</summary>
    public const string SetupsVariable = "TDIAG_MONITOR_SETUPS";

    /// <summary>Every setup: the large and the small MLP, each with and without BatchNorm.</summary>
    public static readonly string[] AllSetups = ["784-1024-1024-10 SGD", "784-1024-1024-10 BN Adam", "64-32-32-10 Adam", "64-32-32-10 BN Adam"];

    /// <summary>The setups to run: <see cref="AllSetups"/>, or those named by <see cref="SetupsVariable"/>.</summary>
    public static IEnumerable<string> SetupsToRun()
    {
        string? chosen = Environment.GetEnvironmentVariable(SetupsVariable);
        if (string.IsNullOrWhiteSpace(chosen))
            return AllSetups;
        var setups = chosen.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var unknown = setups.Where(s => !AllSetups.Contains(s)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{SetupsVariable} names unknown setup(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; expected a comma-separated list of: {string.Join(", ", AllSetups)}.");
        return setups;
    }

    /// <summary>The model and optimizer.</summary>
    [ParamsSource(nameof(SetupsToRun))]
    public string Setup { get; set; } = "";

    /// <summary>libtorch intra-op threads: 0 keeps libtorch's default.</summary>
    [Params(0, 1)]
    public int Threads { get; set; }

    /// <summary>
    /// Builds one model per configuration, each with the same initial weights, its own optimizer and at most one monitor:
    /// a monitor's hooks (on BatchNorm layers) then run only in the steps of the configuration they belong to, as in a
    /// user's program, where a model has one monitor.
    /// </summary>
    [GlobalSetup]
    public void Setup_()
    {
        BenchmarkThreads.Use(Threads, $"{nameof(MonitorSetupBenchmarks)} {Setup}");
        _folder = Path.Combine(Path.GetTempPath(), $"tdiag-bench-{Guid.NewGuid():N}");
        _plain = Build(optimizer => null);
        _defaults = Build(optimizer => new MonitorOptions { Optimizer = optimizer, RunLogPath = Path.Combine(_folder, "run.jsonl") });
        _withoutSilentFaultMeasurements = Build(optimizer => new MonitorOptions
        {
            Optimizer = optimizer,
            RunLogPath = Path.Combine(_folder, "without.jsonl"),
            ActivationHealthSchedule = Schedule.Never,
            InputProfileBatches = 0,
        });
        _activationsEveryStep = Build(optimizer => new MonitorOptions
        {
            Optimizer = optimizer,
            RunLogPath = Path.Combine(_folder, "activations.jsonl"),
            ActivationHealthSchedule = Schedule.Every(1),
        });
        _bare = Build(optimizer => new MonitorOptions { Optimizer = optimizer, PublishMetrics = false });
        _rollback = Build(optimizer => new MonitorOptions { Optimizer = optimizer, Policy = AnomalyPolicy.Rollback, RunLogPath = Path.Combine(_folder, "rollback.jsonl") });
        bool large = Setup.StartsWith("784", StringComparison.Ordinal);
        // A pool of batches with random labels, cycled as epochs are: the loss stays near ln 10 and the run healthy however
        // many steps BenchmarkDotNet takes (one batch repeated tens of thousands of times is memorized, and Adam then
        // spikes: real alarms, which would make the Rollback case restore instead of step).
        var generator = new Generator(7);
        _x = Enumerable.Range(0, Batches).Select(_ => randn(large ? 128 : 64, large ? 784 : 64, generator: generator)).ToArray();
        _y = Enumerable.Range(0, Batches).Select(_ => randint(0, 10, large ? 128 : 64, generator: generator)).ToArray();
    }

    /// <summary>The number of distinct batches each configuration cycles through.</summary>
    public const int Batches = 64;

    [GlobalCleanup]
    public void Cleanup()
    {
        // A healthy benchmark raises nothing: an alarm would make the Rollback case restore state instead of measuring it.
        foreach (var (name, subject) in new[] { ("defaults", _defaults), ("defaults without activation/input", _withoutSilentFaultMeasurements), ("activation health every step", _activationsEveryStep), ("bare", _bare), ("rollback", _rollback) })
        {
            var run = subject.Monitor!.Run;
            Console.WriteLine($"// {Setup}, {name}: {run.Steps.Count} steps in memory, {run.Anomalies.Count} anomalies " +
                string.Join(", ", run.Anomalies.GroupBy(a => a.Kind).Select(g => $"{g.Key} x{g.Count()}")));
            subject.Monitor.Dispose();
        }
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "plain step")]
    public void Plain()
    {
        using var scope = NewDisposeScope();
        PlainStep();
    }

    [Benchmark(Description = "monitor, defaults (run log + metrics)")]
    public void MonitorDefaults() => Monitored(_defaults);

    /// <summary>The defaults with the activation-health and input-profile measurements off: what they add, in the same run.</summary>
    [Benchmark(Description = "monitor, defaults without activation health and input profile")]
    public void MonitorDefaultsWithoutSilentFaultMeasurements() => Monitored(_withoutSilentFaultMeasurements);

    /// <summary>The defaults with activation health at every step instead of every 25th: the cost of one measuring step.</summary>
    [Benchmark(Description = "monitor, defaults with activation health every step")]
    public void MonitorActivationsEveryStep() => Monitored(_activationsEveryStep);

    [Benchmark(Description = "monitor, no log, no metrics")]
    public void MonitorBare() => Monitored(_bare);

    [Benchmark(Description = "monitor, Rollback policy (log + metrics)")]
    public void MonitorRollback() => Monitored(_rollback);

    [Benchmark(Description = "libtorch anomaly mode")]
    public void AnomalyMode()
    {
        using var scope = NewDisposeScope();
        using var anomaly = autograd.detect_anomaly();
        PlainStep();
    }

    /// <summary>What a user's loop does without the monitor: zero the gradients, forward, backward, optimizer step.</summary>
    private void PlainStep()
    {
        _plain.Optimizer.zero_grad();
        _plain.Loss(_x, _y).backward();
        _plain.Optimizer.step();
        _plain.Step++;
    }

    private void Monitored(Subject subject)
    {
        using var scope = NewDisposeScope();
        if (subject.Monitor!.Step(subject.Step, () => subject.Loss(_x, _y)).ShouldStep)
            subject.Optimizer.step();
        subject.Step++;
    }

    /// <summary>A model of <see cref="Setup"/> (seeded: every configuration starts from the same weights), its optimizer and its monitor.</summary>
    private Subject Build(Func<optim.Optimizer, MonitorOptions?> options)
    {
        manual_seed(1);
        bool large = Setup.StartsWith("784", StringComparison.Ordinal);
        bool batchNorm = Setup.Contains("BN", StringComparison.Ordinal);
        int input = large ? 784 : 64, hidden = large ? 1024 : 32;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc1", nn.Linear(input, hidden)) };
        if (batchNorm)
            layers.Add(("bn1", nn.BatchNorm1d(hidden)));
        layers.Add(("relu1", nn.ReLU()));
        layers.Add(("fc2", nn.Linear(hidden, hidden)));
        if (batchNorm)
            layers.Add(("bn2", nn.BatchNorm1d(hidden)));
        layers.Add(("relu2", nn.ReLU()));
        layers.Add(("fc3", nn.Linear(hidden, 10)));
        var model = nn.Sequential(layers);
        optim.Optimizer optimizer = Setup.EndsWith("SGD", StringComparison.Ordinal) ? optim.SGD(model.parameters(), 1e-3) : optim.Adam(model.parameters(), 1e-4);
        var monitorOptions = options(optimizer);
        return new Subject(model, optimizer, monitorOptions is null ? null : new TrainingMonitor(model, monitorOptions));
    }

    private sealed class Subject(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, TrainingMonitor? monitor)
    {
        public optim.Optimizer Optimizer { get; } = optimizer;

        public TrainingMonitor? Monitor { get; } = monitor;

        public long Step { get; set; }

        /// <summary>The loss of this subject's current batch (its step number modulo the pool's size).</summary>
        public Tensor Loss(Tensor[] x, Tensor[] y) => nn.functional.cross_entropy(model.call(x[Step % x.Length]), y[Step % y.Length]);
    }
}
