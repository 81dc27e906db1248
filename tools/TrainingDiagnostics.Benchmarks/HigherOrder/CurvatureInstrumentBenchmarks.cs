using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.HigherOrder;

/// <summary>
/// What the curvature instrument costs a monitored step. Baseline: a monitored step (economy tier, curvature off) of a
/// 64-256-256-10 tanh MLP, batch 128, float32 (the HvpBenchmarks model). Against it: a step at which the instrument is due
/// (default budget: up to 20 matvecs for the top eigenvalue, the rest of 50 for the trace), and the mean step over 1,000
/// steps with <see cref="Schedule.Logarithmic"/> (about 30 of them measured), the Full tier's schedule.
/// </summary>
[MemoryDiagnoser(false)]
public class CurvatureInstrumentBenchmarks
{
    private const int AmortizedSteps = 1000;

    private Sequential _model = null!;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private TrainingMonitor _plain = null!;
    private TrainingMonitor _due = null!;
    private TrainingMonitor _logarithmic = null!;
    private long _plainStep, _dueStep;

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(1, nameof(CurvatureInstrumentBenchmarks));
        manual_seed(1);
        _model = nn.Sequential(
            ("fc1", nn.Linear(64, 256)), ("act1", nn.Tanh()),
            ("fc2", nn.Linear(256, 256)), ("act2", nn.Tanh()),
            ("fc3", nn.Linear(256, 10)));
        _x = randn(128, 64);
        _y = randint(0, 10, new long[] { 128 });
        _plain = new TrainingMonitor(_model, new MonitorOptions { PublishMetrics = false, MaxStepsInMemory = 100 });
        _due = new TrainingMonitor(_model, new MonitorOptions { PublishMetrics = false, MaxStepsInMemory = 100, CurvatureSchedule = Schedule.Every(1) });
        _logarithmic = new TrainingMonitor(_model, new MonitorOptions { PublishMetrics = false, MaxStepsInMemory = 100, CurvatureSchedule = Schedule.Logarithmic() });
        int measured = Enumerable.Range(0, AmortizedSteps).Count(s => Schedule.Logarithmic().IsDue(s));
        Console.WriteLine($"// MLP 64-256-256-10 (tanh), batch 128, float32; curvature budget {new MonitorOptions().CurvatureMatVecBudget} matvecs; " +
            $"logarithmic schedule measures {measured} of {AmortizedSteps} steps");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _due.Dispose();
        _logarithmic.Dispose();
        _model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }

    private Tensor Loss() => nn.functional.cross_entropy(_model.call(_x), _y);

    [Benchmark(Baseline = true, Description = "monitored step, curvature off")]
    public double PlainStep()
    {
        using var scope = NewDisposeScope();
        return _plain.Step(_plainStep++, Loss).Loss;
    }

    [Benchmark(Description = "monitored step, curvature due (budget 50)")]
    public double CurvatureDueStep()
    {
        using var scope = NewDisposeScope();
        return _due.Step(_dueStep++, Loss).Loss;
    }

    [Benchmark(OperationsPerInvoke = AmortizedSteps, Description = "mean step over 1,000, curvature on Schedule.Logarithmic()")]
    public double LogarithmicScheduleAmortized()
    {
        double sum = 0;
        for (long step = 0; step < AmortizedSteps; step++)
        {
            using var scope = NewDisposeScope();
            sum += _logarithmic.Step(step, Loss).Loss;
        }

        return sum;
    }
}
