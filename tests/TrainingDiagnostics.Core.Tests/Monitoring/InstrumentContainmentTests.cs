using System.Diagnostics;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// Nothing optional may break a training run: an instrument's exception never leaves <see cref="TrainingMonitor.Step"/>,
/// the step goes on exactly as without the instrument, the failure is recorded, and a repeatedly failing instrument stands down.
/// </summary>
[TestClass]
public sealed class InstrumentContainmentTests
{
    public TestContext TestContext { get; set; } = null!;

    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(("fc1", nn.Linear(4, 16)), ("bn", nn.BatchNorm1d(16)), ("relu", nn.ReLU()),
            ("drop", nn.Dropout(0.2)), ("fc2", nn.Linear(16, 1)));
    }

    /// <summary>Throws in one stage, at the steps it is told to; records a metric before throwing (which must be discarded).</summary>
    private sealed class Faulty(string stage, Func<long, bool> failsAt) : Instrument("faulty", CostTier.Economy, Schedule.Every(1))
    {
        public int Computed { get; private set; }

        public override bool IsDue(long step) => stage == nameof(IsDue) && failsAt(step) ? throw new InvalidOperationException($"boom in IsDue at {step}") : base.IsDue(step);

        public override void BeforeForward(InstrumentContext context) => Maybe(context, nameof(BeforeForward));

        public override void Queue(InstrumentContext context)
        {
            context.Reads.Add(context.Parameters[0].sum()); // a queued read left behind by a failing stage is harmless
            Maybe(context, nameof(Queue));
        }

        public override void Compute(InstrumentContext context)
        {
            Maybe(context, nameof(Compute));
            Computed++;
            context.RecordMetric("faulty/ok", context.Step);
        }

        public override void AfterDecision(InstrumentContext context) => Maybe(context, nameof(AfterDecision));

        private void Maybe(InstrumentContext context, string here)
        {
            if (stage != here || !failsAt(context.Step))
                return;
            context.RecordMetric("faulty/partial", 1); // recorded, then the stage fails: must not reach the log
            throw new InvalidOperationException($"boom in {here} at {context.Step}");
        }
    }

    private static (float[] Weights, TrainingMonitor Monitor) Run(Instrument? extra, string? logPath = null, int steps = 12, int seed = 5)
    {
        var model = Net(seed);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            RunLogPath = logPath,
            Optimizer = optimizer,
            Instruments = extra is null ? [] : [extra],
            CurvatureSchedule = Schedule.Every(4),
            CurvatureMatVecBudget = 4,
        });
        manual_seed(99); // the dropout masks
        Train(monitor, optimizer, steps, s => Regression(s), Mse);
        using var noGrad = no_grad();
        var weights = model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        return (weights, monitor);
    }

    [TestMethod]
    [DataRow("IsDue")]
    [DataRow("BeforeForward")]
    [DataRow("Queue")]
    [DataRow("Compute")]
    [DataRow("AfterDecision")]
    public void AnInstrumentThatThrowsInAnyStageLeavesTrainingBitIdenticalAndStandsDownAfterThreeFailingSteps(string stage)
    {
        var (plain, plainMonitor) = Run(null);
        plainMonitor.Dispose();

        var faulty = new Faulty(stage, step => step >= 2);
        var (watched, monitor) = Run(faulty);
        using (monitor)
        {
            CollectionAssert.AreEqual(plain, watched, $"an instrument failing in {stage} changed the training result");

            var failures = monitor.Run.InstrumentFailures;
            Assert.AreEqual(3, failures.Count, "fails at steps 2, 3, 4, then stands down and is never asked again");
            CollectionAssert.AreEqual(new long[] { 2, 3, 4 }, failures.Select(f => f.Step).ToArray());
            Assert.IsTrue(failures.All(f => f.Instrument == "faulty" && f.Stage == stage && f.ExceptionType == nameof(InvalidOperationException)));
            StringAssert.Contains(failures[0].Message, $"boom in {stage} at 2");
            CollectionAssert.AreEqual(new[] { 1, 2, 3 }, failures.Select(f => f.ConsecutiveFailures).ToArray());
            CollectionAssert.AreEqual(new[] { false, false, true }, failures.Select(f => f.StoodDown).ToArray());
            CollectionAssert.AreEqual(new[] { "faulty" }, monitor.StoodDownInstruments.ToArray());

            Assert.IsFalse(monitor.Run.Metrics.Any(m => m.Name == "faulty/partial"), "a failed stage's partial results are discarded");
            var ok = monitor.Run.Metrics.Where(m => m.Name == "faulty/ok").Select(m => m.Step).ToArray();
            long[] expectedOk = stage == "AfterDecision" ? [0, 1, 2, 3, 4] : [0, 1]; // AfterDecision fails after Compute recorded
            CollectionAssert.AreEqual(expectedOk, ok);
            Assert.IsTrue(monitor.Run.Curvature.Count > 0, "the other instruments kept measuring");
        }
    }

    [TestMethod]
    public void AnInstrumentThatFailsNowAndThenIsNeverStoodDownAndMeasuresInBetween()
    {
        var faulty = new Faulty("Compute", step => step % 2 == 1);
        var (_, monitor) = Run(faulty, steps: 10);
        using (monitor)
        {
            Assert.AreEqual(5, monitor.Run.InstrumentFailures.Count);
            Assert.IsTrue(monitor.Run.InstrumentFailures.All(f => f.ConsecutiveFailures == 1 && !f.StoodDown));
            Assert.AreEqual(0, monitor.StoodDownInstruments.Count);
            Assert.AreEqual(5, faulty.Computed);
        }
    }

    [TestMethod]
    public void FailuresAreWrittenToTheRunLogAndReadBack()
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl");
        var (_, monitor) = Run(new Faulty("Compute", step => step >= 5), path);
        InstrumentFailureRecord[] inMemory;
        using (monitor)
            inMemory = monitor.Run.InstrumentFailures.ToArray();
        var read = RunLogReader.Read(path);
        CollectionAssert.AreEqual(inMemory, read.InstrumentFailures.ToArray());
        Assert.IsTrue(read.InstrumentFailures[^1].StoodDown);
        Assert.AreEqual(12, read.Steps.Count, "every step is in the log");
    }

    [TestMethod]
    public void ABackwardPassErrorOfTheUsersOwnLossStillSurfacesWhileAFailingInstrumentIsDue()
    {
        var model = Net(3);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Instruments = [new Faulty("Compute", _ => true)] });
        var (x, y) = Regression(0);
        Assert.Throws<BackwardPassException>(() => monitor.Step(0, () =>
        {
            var h = model.call(x);
            var loss = (h * h).mean();
            h.add_(1); // an in-place change to a tensor the loss saved: a programming error, not an anomaly
            return loss;
        }));
    }

    [TestMethod]
    public void ATensorBoardExportThatFailsStandsDownWithoutEndingTheRun()
    {
        // A full disk under the TensorBoard folder: the export fails on its next write (simulated: the recorder's sink is
        // handed a write that throws what the file system would). The run log, the history and the meter go on.
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"tb-{Guid.NewGuid():N}");
        using var recorder = new TrainingDiagnostics.Recording.RunRecorder(
            new RunMetadata { RunName = "tb", StartedAt = DateTimeOffset.UnixEpoch }, 100, null, null, folder);
        recorder.Record(new StepRecord { Step = 0, Loss = 1, Layers = [] }, []);
        Assert.IsNotNull(recorder.TensorBoard);

        recorder.ToTensorBoard(1, _ => throw new IOException("No space left on device"));
        recorder.Record(new StepRecord { Step = 1, Loss = 0.5, Layers = [] }, []);
        recorder.Record(new MetricRecord { Step = 1, Name = "validation/loss", Value = 0.7 });

        Assert.IsNull(recorder.TensorBoard, "the export stood down");
        var failure = recorder.Run.InstrumentFailures.Single();
        Assert.AreEqual("tensorboard", failure.Instrument);
        Assert.AreEqual(1, failure.Step);
        Assert.AreEqual(nameof(IOException), failure.ExceptionType);
        Assert.IsTrue(failure.StoodDown);
        Assert.AreEqual(2, recorder.Run.Steps.Count, "recording went on");
        Assert.AreEqual(1, recorder.Run.Metrics.Count);
    }

    [TestMethod]
    public void AFailureLimitBelowOneIsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingMonitor(Net(1), new MonitorOptions { InstrumentFailureLimit = 0 }));
        StringAssert.Contains(ex.Message, "InstrumentFailureLimit");
    }

    [TestMethod]
    public void CurvatureOnAStepWhoseBatchNormBufferTheMonitorPutBackIsMeasuredWithoutFailure()
    {
        // The demo's crash: a batch of one poisons running_var, the monitor skips the step and restores the buffers in place;
        // the curvature probe of that step must still measure (its graph saves no running buffer).
        var model = Net(7);
        var optimizer = optim.Adam(model.parameters(), 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            Optimizer = optimizer,
            CurvatureSchedule = Schedule.Every(1),
            CurvatureMatVecBudget = 4,
        });
        var results = Train(monitor, optimizer, 8, s => s == 4 ? Regression(s, rows: 1) : Regression(s), Mse);

        Assert.IsFalse(results[4].ShouldStep, "the batch of one is skipped");
        Assert.AreEqual(0, monitor.Run.InstrumentFailures.Count,
            "failures: " + string.Join("; ", monitor.Run.InstrumentFailures.Select(f => $"{f.Step} {f.Instrument}: {f.Message}")));
        CollectionAssert.AreEqual(Enumerable.Range(0, 8).Select(i => (long)i).ToArray(),
            monitor.Run.Curvature.Select(c => c.Step).Distinct().ToArray(), "curvature at every step, the skipped one and after");
        foreach (var buffer in model.buffers())
            Assert.IsTrue(buffer.isfinite().all().item<bool>(), "the running statistics were put back");
    }

    [TestMethod]
    public void TensorsAndMemoryStayFlatOverTenThousandStepsWithCurvatureEveryTenSteps()
    {
        int previous = get_num_threads();
        set_num_threads(1);
        try
        {
            manual_seed(11);
            var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(8, 1)));
            var optimizer = optim.SGD(model.parameters(), 0.01);
            using var monitor = new TrainingMonitor(model, new MonitorOptions
            {
                PublishMetrics = false,
                Optimizer = optimizer,
                CurvatureSchedule = Schedule.Every(10),
                CurvatureMatVecBudget = 4,
                MaxStepsInMemory = 64,
            });
            var x = randn(16, 4);
            var y = x.sum(1, keepdim: true) * 0.5;
            long liveBefore = 0, rssBefore = 0;
            var clock = Stopwatch.StartNew();
            for (int step = 0; step < 10_000; step++)
            {
                if (step == 1_000)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    liveBefore = TensorLeakGuard.LiveTensors;
                    rssBefore = Process.GetCurrentProcess().WorkingSet64;
                }
                using var scope = NewDisposeScope();
                var result = monitor.Step(step, () => Mse(model.call(x), y));
                if (result.ShouldStep)
                    optimizer.step();
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long liveGrowth = TensorLeakGuard.LiveTensors - liveBefore;
            long rssGrowth = Process.GetCurrentProcess().WorkingSet64 - rssBefore;
            TestContext.WriteLine($"10,000 steps in {clock.Elapsed.TotalSeconds:F1} s; live tensors +{liveGrowth}; RSS +{rssGrowth / 1e6:F1} MB; curvature steps {monitor.Run.Curvature.Select(c => c.Step).Distinct().Count()}");
            Assert.AreEqual(0, monitor.Run.InstrumentFailures.Count);
            Assert.IsTrue(monitor.Run.Curvature.Count > 0);
            Assert.AreEqual(0, liveGrowth, "live tensors grew between step 1,000 and step 10,000");
            // 9,000 steps and 900 curvature measurements: a leak of one small graph per measurement would be tens of MB.
            Assert.IsTrue(rssGrowth < 24_000_000, $"RSS grew by {rssGrowth / 1e6:F1} MB between step 1,000 and step 10,000");
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
