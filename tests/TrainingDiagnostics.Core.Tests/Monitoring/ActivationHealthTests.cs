using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// The activation-health instrument: dead ReLU units and saturated sigmoid/tanh outputs, each checked against the fraction
/// computed directly from the layer's output (an independent forward pass of the same batch with the same weights).
/// </summary>
[TestClass]
public sealed class ActivationHealthTests
{
    private static readonly Schedule EveryStep = Schedule.Every(1);

    private static (Tensor X, Tensor Y) Batch(int step) => Regression(step, rows: 64, features: 8);

    private static TrainingMonitor Monitor(nn.Module model, Schedule? schedule = null) =>
        new(model, new MonitorOptions { PublishMetrics = false, ActivationHealthSchedule = schedule ?? EveryStep, InputProfileBatches = 0 });

    private static double Metric(TrainingMonitor monitor, string prefix, string path, long step) =>
        monitor.Run.Metrics.Single(m => m.Step == step && m.Name == prefix + path).Value;

    /// <summary>The oracle: the fraction of units (dimension 1) whose output is zero for every sample, from the output itself.</summary>
    private static double DeadUnits(Tensor output)
    {
        using var scope = NewDisposeScope();
        var perUnit = output.transpose(0, 1).reshape(output.shape[1], -1);
        return (perUnit != 0).any(1).logical_not().to(float64).mean().item<double>();
    }

    [TestMethod]
    public void ReluUnitsKilledByAVeryNegativeBiasAreDeadAndAHealthyLayerIsNot()
    {
        manual_seed(11);
        var dead = nn.Linear(8, 16);
        using (no_grad())
            dead.bias!.fill_(-100); // every pre-activation far below zero: the whole layer is dead
        var model = nn.Sequential(("fc1", dead), ("relu1", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
        var healthyLayer = nn.Linear(8, 16);
        var healthy = nn.Sequential(("fc1", healthyLayer), ("relu1", nn.ReLU()), ("fc2", nn.Linear(16, 1)));
        using var deadMonitor = Monitor(model);
        using var healthyMonitor = Monitor(healthy);
        Train(deadMonitor, optim.SGD(model.parameters(), 0.0), 3, Batch, Mse);
        Train(healthyMonitor, optim.SGD(healthy.parameters(), 0.0), 3, Batch, Mse);

        using var scope = NewDisposeScope();
        var x = Batch(2).X;
        double healthyTruth = DeadUnits(nn.functional.relu(healthyLayer.call(x)));
        Assert.AreEqual(1.0, Metric(deadMonitor, InstrumentMetricNames.DeadFractionPrefix, "relu1", 2), 1e-12, "every unit of the planted layer is dead");
        Assert.AreEqual(healthyTruth, Metric(healthyMonitor, InstrumentMetricNames.DeadFractionPrefix, "relu1", 2), 1e-12);
        Assert.IsLessThan(0.2, healthyTruth, "a freshly initialized ReLU layer keeps most units alive");
    }

    [TestMethod]
    public void DeadConvolutionChannelsAreCountedPerChannelOverEveryPosition()
    {
        manual_seed(12);
        var conv = nn.Conv2d(3, 8, 3, padding: 1);
        using (no_grad())
            conv.bias![..3] = full(3, -100f); // channels 0, 1, 2 dead; the other five alive
        var model = nn.Sequential(("conv", conv), ("act", nn.ReLU6()), ("flat", nn.Flatten()), ("fc", nn.Linear(8 * 5 * 5, 1)));
        using var monitor = Monitor(model);
        Train(monitor, optim.SGD(model.parameters(), 0.0), 1, s => (randn(16, 3, 5, 5, generator: new Generator(40)), zeros(16, 1)), Mse);

        using var scope = NewDisposeScope();
        var output = nn.functional.relu6(conv.call(randn(16, 3, 5, 5, generator: new Generator(40))));
        double truth = DeadUnits(output);
        Assert.AreEqual(3.0 / 8.0, truth, 1e-12, "the oracle sees exactly the planted channels");
        Assert.AreEqual(truth, Metric(monitor, InstrumentMetricNames.DeadFractionPrefix, "act", 0), 1e-12);
    }

    /// <summary>The oracle: the fraction of pre-activations where the analytic derivative is below 1 % of its maximum.</summary>
    private static double SaturatedOutputs(Tensor preActivation, bool sigmoid)
    {
        using var scope = NewDisposeScope();
        var z = preActivation.to(float64);
        var derivative = sigmoid ? z.sigmoid() * (1 - z.sigmoid()) / 0.25 : 1 - z.tanh().square();
        return (derivative < 0.01).to(float64).mean().item<double>();
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void ASigmoidOrTanhWithHugeWeightsIsSaturatedAndOneWithTinyWeightsIsNot(bool sigmoid)
    {
        double Saturation(double scale)
        {
            manual_seed(13);
            var fc = nn.Linear(8, 32);
            using (no_grad())
                fc.weight!.mul_(scale);
            nn.Module<Tensor, Tensor> activation = sigmoid ? nn.Sigmoid() : nn.Tanh();
            var model = nn.Sequential(("fc", fc), ("act", activation), ("out", nn.Linear(32, 1)));
            using var monitor = Monitor(model);
            Train(monitor, optim.SGD(model.parameters(), 0.0), 1, Batch, Mse);
            using var scope = NewDisposeScope();
            double truth = SaturatedOutputs(fc.call(Batch(0).X), sigmoid);
            double measured = Metric(monitor, InstrumentMetricNames.SaturatedFractionPrefix, "act", 0);
            // Outputs within a float32 rounding of the threshold may fall either way: a few in 2048 at most.
            Assert.AreEqual(truth, measured, 2e-3, $"weights x{scale}");
            return measured;
        }

        Assert.IsGreaterThan(0.95, Saturation(1000), "pre-activations of hundreds sit on the flat tails");
        Assert.AreEqual(0.0, Saturation(0.001), "pre-activations near zero sit on the linear middle: no saturation");
    }

    [TestMethod]
    public void ASharedActivationModulePoolsItsCallsByUnits()
    {
        manual_seed(14);
        var fc1 = nn.Linear(8, 16);
        var fc2 = nn.Linear(16, 4);
        using (no_grad())
            fc2.bias!.fill_(-100); // the second call's 4 units are dead
        var relu = nn.ReLU();
        var model = new SharedRelu(fc1, fc2, relu);
        using var monitor = Monitor(model);
        Train(monitor, optim.SGD(model.parameters(), 0.0), 1, s => (Batch(0).X, zeros(64, 4)), Mse);

        using var scope = NewDisposeScope();
        var first = nn.functional.relu(fc1.call(Batch(0).X));
        var second = nn.functional.relu(fc2.call(first));
        double truth = (DeadUnits(first) * 16 + DeadUnits(second) * 4) / 20;
        Assert.AreEqual(1.0, DeadUnits(second));
        Assert.AreEqual(truth, Metric(monitor, InstrumentMetricNames.DeadFractionPrefix, "relu", 0), 1e-12);
    }

    private sealed class SharedRelu : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> fc1;
        private readonly nn.Module<Tensor, Tensor> fc2;
        private readonly nn.Module<Tensor, Tensor> relu;

        public SharedRelu(nn.Module<Tensor, Tensor> fc1, nn.Module<Tensor, Tensor> fc2, nn.Module<Tensor, Tensor> relu) : base(nameof(SharedRelu))
        {
            (this.fc1, this.fc2, this.relu) = (fc1, fc2, relu);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => relu.call(fc2.call(relu.call(fc1.call(input))));
    }

    [TestMethod]
    public void TheHooksRunOnlyOnDueStepsAndNeverDuringAReplay()
    {
        manual_seed(15);
        var model = nn.Sequential(("fc1", nn.Linear(8, 16)), ("relu1", nn.ReLU()), ("fc2", nn.Linear(16, 16)), ("relu2", nn.ReLU()), ("out", nn.Linear(16, 1)));
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false }); // the default schedule
        var instrument = (ActivationHealthInstrument)monitor.Instruments.Single(i => i.Name == "activation-health");
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 30, s =>
        {
            var (x, y) = Batch(s);
            if (s == 25)
                x[0, 0] = float.NaN; // a replay at a due step
            return (x, y);
        }, Mse);

        Assert.AreEqual("input", results[25].Anomalies.Single().ModulePath, "the replay ran");
        Assert.AreEqual(2 * 2, instrument.Invocations, "two modules, hooked at steps 0 and 25 only, not in the replay of step 25");
        var steps = monitor.Run.Metrics.Where(m => m.Name.StartsWith("activation/", StringComparison.Ordinal)).Select(m => m.Step).Distinct().ToArray();
        CollectionAssert.AreEqual(new long[] { 0, 25 }, steps, "recorded on the default schedule, every 25 steps");
        CollectionAssert.AreEquivalent(new[] { "relu1", "relu2" }, instrument.Paths.ToArray());
    }

    [TestMethod]
    public void TheFractionsAreReadWithTheStepsTransferAndOnlyThen()
    {
        manual_seed(16);
        var model = nn.Sequential(("fc", nn.Linear(8, 16)), ("relu", nn.ReLU()), ("sig", nn.Sigmoid()), ("out", nn.Linear(16, 1)));
        var tree = new ModuleTree(model);
        var reads = new DeviceReads();
        using var instrument = new ActivationHealthInstrument(EveryStep, tree);
        using var scope = NewDisposeScope();
        var x = Batch(0).X;
        var context = new InstrumentContext(tree, () => Mse(model.call(x), Batch(0).Y), 0, null, reads);
        instrument.BeforeForward(context);
        context.LossClosure();
        using (no_grad())
            instrument.Queue(context);

        Assert.AreEqual(16 + 1, reads.Count, "queued for the step's transfer: a flag per ReLU unit and the sigmoid's count of saturated outputs");
        Assert.ThrowsExactly<InvalidOperationException>(() => instrument.Compute(context), "before the transfer there is no value to read");
        instrument.BeforeForward(context);
        context.LossClosure();
        reads.Clear();
        using (no_grad())
            instrument.Queue(context);
        reads.Transfer();
        instrument.Compute(context);
        var names = context.Metrics.Select(m => m.Name).ToArray();
        CollectionAssert.AreEquivalent(new[] { InstrumentMetricNames.DeadFractionPrefix + "relu", InstrumentMetricNames.SaturatedFractionPrefix + "sig" }, names);
        model.call(x);
        Assert.AreEqual(4, instrument.Invocations, "the hooks are off once the values are queued");
    }

    [TestMethod]
    public void NoTensorLeaksWithTheActivationHooksOnEveryStepAndAReplay()
    {
        manual_seed(17);
        var model = nn.Sequential(("fc1", nn.Linear(8, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 16)), ("tanh", nn.Tanh()), ("out", nn.Linear(16, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.01);
        using var monitor = Monitor(model);
        Train(monitor, optimizer, 3, Batch, Mse);
        var guard = new TensorLeakGuard();
        Train(monitor, optimizer, 40, s =>
        {
            var (x, y) = Batch(s);
            if (s == 20)
                x[1, 1] = float.NaN;
            return (x, y);
        }, Mse);
        Assert.IsLessThanOrEqualTo(0L, guard.NewLive, $"{guard.NewLive} tensors leaked over 40 measured steps with a replay");
        Assert.AreEqual(2 * (3 + 40), monitor.Run.Metrics.Count(m => m.Name.StartsWith("activation/", StringComparison.Ordinal)), "two modules measured at every step");
    }
}
