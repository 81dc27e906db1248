using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// Issue target: recording a 100,000-step run keeps the monitor's memory bounded (the in-memory history is thinned, the run
/// log on disk has every step). Reports the managed memory the monitor holds after the run (<see cref="RetainedBytes"/>,
/// printed to the console) beside the allocation figures.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 0, iterationCount: 1, invocationCount: 1)]
public class LongRunMemoryBenchmarks
{
    [Params(100_000)]
    public int Steps { get; set; }

    /// <summary>Managed bytes still held by the monitor after the run (measured by a full GC before and after).</summary>
    public static long RetainedBytes { get; private set; }

    [Benchmark(Description = "100k monitored steps, tiny model, run log on disk")]
    public int Record()
    {
        manual_seed(1);
        var model = nn.Sequential(("fc1", nn.Linear(8, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
        var optimizer = optim.SGD(model.parameters(), 1e-3);
        var log = Path.Combine(Path.GetTempPath(), $"tdiag-longrun-{Guid.NewGuid():N}.jsonl");
        var x = randn(32, 8);
        var y = randn(32, 1);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, RunLogPath = log });
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            if (monitor.Step(step, () => (model.call(x) - y).pow(2).mean()).ShouldStep)
                optimizer.step();
        }
        RetainedBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        int kept = monitor.Run.Steps.Count;
        Console.WriteLine($"// monitor retains {RetainedBytes / 1024.0 / 1024.0:F2} MiB after {Steps} steps; {kept} steps in memory; log {new FileInfo(log).Length / 1024.0 / 1024.0:F1} MiB");
        monitor.Dispose();
        File.Delete(log);
        GC.KeepAlive(monitor);
        return kept;
    }
}
