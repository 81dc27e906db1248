using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using TrainingDiagnostics.Tests.HigherOrder;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>The curvature instrument: on its schedule, right against a full Hessian, and invisible to training.</summary>
[TestClass]
public sealed class CurvatureInstrumentTests
{
    public TestContext TestContext { get; set; } = null!;

    private static nn.Module<Tensor, Tensor> Net() => nn.Sequential(
        ("fc1", nn.Linear(4, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()),
        ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(16, 1)));

    [TestMethod]
    public void TheFullTierMeasuresCurvatureOnALogarithmicScheduleAndTheOthersDoNot()
    {
        Assert.IsFalse(new MonitorOptions().CurvatureSchedule.IsDue(0));
        Assert.IsFalse(MonitorOptions.ForTier(CostTier.Economy).CurvatureSchedule.IsDue(0));
        Assert.IsFalse(MonitorOptions.ForTier(CostTier.Business).CurvatureSchedule.IsDue(0));
        var full = MonitorOptions.ForTier(CostTier.Full).CurvatureSchedule;
        Assert.IsTrue(full.IsDue(0) && full.IsDue(10) && full.IsDue(100) && !full.IsDue(101));
        Assert.AreEqual(50, new MonitorOptions().CurvatureMatVecBudget);

        var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        using var monitor = new TrainingMonitor(model, MonitorOptions.ForTier(CostTier.Full) with { PublishMetrics = false });
        var curvature = monitor.Instruments.Single(i => i.Name == "curvature");
        Assert.AreEqual(CostTier.Full, curvature.Tier);
    }

    [TestMethod]
    public void ABudgetBelowTwoIsRefusedWithTheReason()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 2)));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingMonitor(model, new MonitorOptions { CurvatureMatVecBudget = 1 }));
        StringAssert.Contains(ex.Message, "CurvatureMatVecBudget");
    }

    [TestMethod]
    public void CurvatureIsRecordedExactlyOnItsScheduleWithinItsBudget()
    {
        manual_seed(1);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            CurvatureSchedule = Schedule.At(0, 3, 7),
            CurvatureMatVecBudget = 12,
        });
        Train(monitor, optim.SGD(model.parameters(), 0.05), 9, s => Regression(s), Mse);

        var records = monitor.Run.Curvature;
        CollectionAssert.AreEqual(new long[] { 0, 3, 7 }, records.Select(r => r.Step).Distinct().ToArray());
        foreach (var group in records.GroupBy(r => r.Step))
        {
            Assert.AreEqual(1, group.Count(r => r.Quantity == CurvatureQuantity.TopEigenvalue), $"step {group.Key}");
            Assert.AreEqual(1, group.Count(r => r.Quantity == CurvatureQuantity.Trace), $"step {group.Key}");
            Assert.IsTrue(group.Sum(r => r.MatVecs) <= 12, $"step {group.Key} spent {group.Sum(r => r.MatVecs)} matvecs");
            var top = group.Single(r => r.Quantity == CurvatureQuantity.TopEigenvalue);
            Assert.IsTrue(top.MatVecs <= 4, "two fifths of 12 for the eigenvalue");
            Assert.IsNotNull(top.Residual);
            Assert.IsNotNull(group.Single(r => r.Quantity == CurvatureQuantity.Trace).StandardError);
        }
    }

    [TestMethod]
    public void CurvatureRecordsGoToTheRunLog()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl");
        manual_seed(2);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 1)));
        CurvatureRecord[] inMemory;
        using (var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            RunLogPath = path,
            CurvatureSchedule = Schedule.Every(2),
            CurvatureMatVecBudget = 6,
        }))
        {
            Train(monitor, optim.SGD(model.parameters(), 0.05), 4, s => Regression(s), Mse);
            inMemory = monitor.Run.Curvature.ToArray();
        }

        var run = RunLogReader.Read(path); // the monitor is disposed: its log is complete
        CollectionAssert.AreEqual(inMemory, run.Curvature.ToArray());
        Assert.AreEqual(4, run.Curvature.Count);
    }

    [TestMethod]
    public void TopEigenvalueAndTraceMatchTheFullHessianOfTheStepsLoss()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        var hessian = TrainingDiagnostics.Autodiff.Hessian(mlp.LossOf, mlp.FlatParameters());
        var eigenvalues = TensorAssert.Values(linalg.eigvalsh(hessian));
        double top = eigenvalues.MaxBy(Math.Abs);
        double trace = eigenvalues.Sum();

        using var monitor = new TrainingMonitor(mlp.Model, new MonitorOptions { PublishMetrics = false, CurvatureSchedule = Schedule.Every(1) });
        var result = monitor.Step(0, mlp.Loss);

        Assert.IsTrue(result.IsHealthy);
        var eigen = monitor.Run.Curvature.Single(r => r.Quantity == CurvatureQuantity.TopEigenvalue);
        var estimate = monitor.Run.Curvature.Single(r => r.Quantity == CurvatureQuantity.Trace);
        TestContext.WriteLine($"top {top} vs {eigen.Value} ± {eigen.Residual} ({eigen.MatVecs} matvecs); trace {trace} vs {estimate.Value} ± {estimate.StandardError} ({estimate.MatVecs})");
        Assert.IsTrue(eigen.Converged, $"32 parameters: Lanczos converges within 20 steps (residual {eigen.Residual})");
        Assert.AreEqual(top, eigen.Value, 1e-3 * Math.Abs(top) + 1e-12, "a Ritz value within its residual tolerance");
        Assert.IsTrue(Math.Abs(eigen.Value - top) <= eigen.Residual!.Value + 1e-12, "|λ - θ| <= residual");
        Assert.IsTrue(Math.Abs(estimate.Value - trace) <= 4 * estimate.StandardError!.Value,
            $"trace {trace}, estimate {estimate.Value} ± {estimate.StandardError}");
        Assert.IsTrue(eigen.MatVecs + estimate.MatVecs <= 50);
    }

    private static (double[][] Parameters, double[][] Buffers, double[] Rng, double[] Losses, int Curvature) Train50(bool curvature, bool adam)
    {
        manual_seed(5);
        var model = Net();
        optim.Optimizer optimizer = adam ? optim.Adam(model.parameters(), 0.01) : optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            CurvatureSchedule = curvature ? Schedule.Every(1) : Schedule.Never,
            CurvatureMatVecBudget = 8,
        });
        var results = Train(monitor, optimizer, 50, s => Regression(s), Mse);
        using var rng = get_rng_state();
        return (
            model.parameters().Select(p => TensorAssert.Values(p)).ToArray(),
            model.buffers().Select(b => TensorAssert.Values(b)).ToArray(),
            TensorAssert.Values(rng),
            results.Select(r => r.Loss).ToArray(),
            monitor.Run.Curvature.Count);
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void TheInstrumentChangesNoTrainingResultOverFiftySteps(bool adam)
    {
        var without = Train50(curvature: false, adam);
        var with = Train50(curvature: true, adam);

        Assert.AreEqual(0, without.Curvature);
        Assert.AreEqual(100, with.Curvature, "an eigenvalue and a trace at each of the 50 steps");
        CollectionAssert.AreEqual(without.Losses, with.Losses, "losses");
        for (int i = 0; i < with.Parameters.Length; i++)
            CollectionAssert.AreEqual(without.Parameters[i], with.Parameters[i], $"parameter {i}");
        for (int i = 0; i < with.Buffers.Length; i++)
            CollectionAssert.AreEqual(without.Buffers[i], with.Buffers[i], $"buffer {i} (BatchNorm running statistics)");
        CollectionAssert.AreEqual(without.Rng, with.Rng, "random state (dropout masks)");
    }

    [TestMethod]
    public void TheStepsGradientsAreUntouched()
    {
        manual_seed(6);
        var model = Net();
        var (x, y) = Regression(0);
        using var plain = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var measured = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, CurvatureSchedule = Schedule.Every(1) });
        using var scope = NewDisposeScope();

        var rng = get_rng_state();
        plain.Step(0, () => Mse(model.call(x), y));
        var expected = model.parameters().Select(p => TensorAssert.Values(p.grad!)).ToArray();
        set_rng_state(rng);
        measured.Step(0, () => Mse(model.call(x), y));

        Assert.AreEqual(2, measured.Run.Curvature.Count);
        var actual = model.parameters().Select(p => TensorAssert.Values(p.grad!)).ToArray();
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"grad {i}");
    }

    [TestMethod]
    public void NoCurvatureIsMeasuredOnANonFiniteStep()
    {
        manual_seed(7);
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, CurvatureSchedule = Schedule.Every(1) });
        Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s =>
        {
            var (x, y) = Regression(s);
            if (s == 1)
                x[0, 0] = float.NaN;
            return (x, y);
        }, Mse);
        CollectionAssert.AreEqual(new long[] { 0, 2 }, monitor.Run.Curvature.Select(r => r.Step).Distinct().ToArray());
    }

    [TestMethod]
    public void AModelWithoutAHessianTurnsTheInstrumentOffWithoutStoppingTraining()
    {
        manual_seed(8);
        // Mixed dtypes: the operator works on one flat vector of one dtype, so it refuses; training must go on.
        var fc1 = nn.Linear(4, 4);
        var fc2 = nn.Linear(4, 1, dtype: ScalarType.Float64);
        var model = nn.Sequential(("fc1", fc1), ("cast", new Cast()), ("fc2", fc2));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, CurvatureSchedule = Schedule.Every(1) });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s => Regression(s), (p, t) => Mse(p, t.to(ScalarType.Float64)));
        Assert.IsTrue(results.All(r => r.ShouldStep));
        Assert.AreEqual(0, monitor.Run.Curvature.Count);
        // Each refusal is a contained failure; the third in a row stands the instrument down for the rest of the run.
        var failures = monitor.Run.InstrumentFailures;
        Assert.AreEqual(3, failures.Count);
        Assert.IsTrue(failures.All(f => f.Instrument == "curvature" && f.ExceptionType == nameof(ArgumentException)));
        StringAssert.Contains(failures[0].Message, "different dtypes");
        Assert.IsTrue(failures[^1].StoodDown);
        CollectionAssert.AreEqual(new[] { "curvature" }, monitor.StoodDownInstruments.ToArray(), "off for the rest of the run");
    }

    private sealed class Cast() : nn.Module<Tensor, Tensor>("cast")
    {
        public override Tensor forward(Tensor input) => input.to(ScalarType.Float64);
    }

    [TestMethod]
    public void MeasuringCurvatureLeaksNoTensors()
    {
        manual_seed(9);
        var model = Net();
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            CurvatureSchedule = Schedule.Every(1),
            CurvatureMatVecBudget = 6,
        });
        Train(monitor, optimizer, 3, s => Regression(s), Mse); // lazily created state first
        var guard = new TensorLeakGuard();
        for (int step = 3; step < 23; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Regression(step);
            var result = monitor.Step(step, () => Mse(model.call(x), y));
            if (result.ShouldStep)
                optimizer.step();
        }
        Assert.IsTrue(guard.NewLive <= 0, $"{guard.NewLive} tensors leaked over 20 steps with curvature");
        Assert.AreEqual(46, monitor.Run.Curvature.Count);
    }
}
