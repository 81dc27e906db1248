using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>Planted faults in small real networks: the monitor must name the exact module, phase and kind.</summary>
[TestClass]
public sealed class FaultScenarioTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    private static TrainingMonitor Monitor(nn.Module model, MonitorOptions? options = null) => new(model, options ?? new MonitorOptions { PublishMetrics = false });

    [TestMethod]
    public void LogOfANegativeActivationIsAForwardNaNInTheLogLayer()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("log", new LogLayer()), ("out", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s => Regression(s), Mse);
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteActivation, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("log", a.ModulePath);
        Assert.AreEqual("LogLayer", a.Operation);
        Assert.IsTrue(a.NaNCount > 0);
        Assert.AreEqual(0, a.Inputs[0].NaNCount, "the log layer's input was finite");
        Assert.IsFalse(results[0].ShouldStep, "SkipStep is the default policy");
    }

    [TestMethod]
    public void DivisionByAZeroNormIsAForwardNaNInTheNormalizeLayer()
    {
        var fc = nn.Linear(4, 6);
        using (no_grad()) fc.bias!.zero_();
        var model = nn.Sequential(("fc", fc), ("normalize", new NormalizeLayer()), ("out", nn.Linear(6, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s =>
        {
            var (x, y) = Regression(s);
            x[3] = zeros(4); // a zero row: the linear layer (bias 0) maps it to a zero vector
            return (x, y);
        }, Mse);
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteActivation, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("normalize", a.ModulePath);
    }

    [TestMethod]
    public void SqrtAtZeroIsABackwardNaNNamedWithItsAutogradNode()
    {
        var fc = nn.Linear(4, 3);
        using (no_grad()) fc.bias!.zero_();
        var model = nn.Sequential(("fc", fc), ("norm", new RowNormLayer()), ("out", nn.Linear(4, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s =>
        {
            var (x, y) = Regression(s);
            x[0] = zeros(4);
            return (x, y);
        }, Mse);
        Assert.IsTrue(double.IsFinite(results[0].Loss), "the forward pass is finite");
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteGradient, a.Kind);
        Assert.AreEqual(AnomalyPhase.Backward, a.Phase);
        Assert.AreEqual("norm", a.ModulePath);
        StringAssert.StartsWith(a.Operation, "RowNormLayer");
        StringAssert.Contains(a.Operation, "Backward", "libtorch's node name, from anomaly mode");
        TestContext.WriteLine($"{a.Operation}: {a.Message} | {a.Localization}");
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void SqrtOfAValueThatReachesZeroIsABackwardNaNInSqrtBackward()
    {
        var fc1 = nn.Linear(4, 8);
        using (no_grad()) fc1.bias!.zero_();
        var model = nn.Sequential(("fc1", fc1), ("gate", new GatedSqrt()), ("fc2", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s =>
        {
            var (x, y) = Regression(s);
            x[4] = zeros(4); // this row reaches the gate as exact zeros
            return (x, y);
        }, Mse);
        Assert.IsTrue(double.IsFinite(results[0].Loss));
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteGradient, a.Kind);
        Assert.AreEqual(AnomalyPhase.Backward, a.Phase);
        Assert.AreEqual("gate", a.ModulePath);
        Assert.AreEqual("GatedSqrt/SqrtBackward0", a.Operation);
        StringAssert.Contains(a.Suggestion, "sqrt");
    }

    [TestMethod]
    public void OverflowingExpInACustomSoftmaxIsAForwardFaultOfThatLayer()
    {
        var fc = nn.Linear(4, 5);
        using (no_grad()) fc.weight!.mul_(100);
        var model = nn.Sequential(("fc", fc), ("softmax", new NaiveSoftmax()));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1,
            s => (Regression(s).X * 10, randint(0, 5, 16, dtype: ScalarType.Int64)),
            (p, y) => nn.functional.nll_loss(p.log(), y));
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteActivation, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("softmax", a.ModulePath);
        Assert.AreEqual("NaiveSoftmax", a.Operation);
        StringAssert.Contains(a.Suggestion, "exp");
    }

    [TestMethod]
    public void ANaNRowInTheDataIsBlamedOnTheInputNotTheFirstLayer()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s =>
        {
            var (x, y) = Regression(s);
            if (s == 2)
                x[5, 1] = float.NaN;
            return (x, y);
        }, Mse);
        Assert.IsTrue(results[0].IsHealthy && results[1].IsHealthy);
        var a = First(results);
        Assert.AreEqual(2, a.Step);
        Assert.AreEqual(AnomalyKind.NonFiniteInput, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("input", a.ModulePath);
        Assert.AreEqual(1, a.NaNCount);
    }

    [TestMethod]
    public void BatchNormWithABatchOfOneIsReportedBeforeItsRunningVarianceIsPoisoned()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("out", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s => Regression(s, rows: s == 2 ? 1 : 16), Mse);
        var a = First(results);
        Assert.AreEqual(2, a.Step);
        Assert.AreEqual(AnomalyKind.BatchNormDegenerate, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("bn", a.ModulePath);
        Assert.AreEqual("BatchNorm1d", a.Operation);
        StringAssert.Contains(a.Message, "running_var");
        Assert.IsTrue(a.NaNCount > 0, "the running variance did turn NaN");
        Assert.IsFalse(results[2].ShouldStep, "SkipStep acts on it");
        using var scope = NewDisposeScope();
        var bn = model.named_buffers().Single(b => b.name == "bn.running_var").buffer;
        Assert.IsTrue(bn.isfinite().all().item<bool>(), "the skipped step put the running statistics back");
    }

    [TestMethod]
    public void ADeepBatchNormNetworkPoisonedByABatchOfOneIsFoundAndPutBackExactly()
    {
        // Five BatchNorm layers: ten running statistics, probed by one operation over their concatenation, and copied
        // before each step as one group. A batch of one row poisons them all; the skipped step must put every one back.
        manual_seed(4);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc", nn.Linear(4, 8)) };
        for (int k = 1; k <= 5; k++)
        {
            layers.Add(($"bn{k}", nn.BatchNorm1d(8)));
            layers.Add(($"fc{k}", nn.Linear(8, 8)));
        }
        layers.Add(("out", nn.Linear(8, 1)));
        var model = nn.Sequential(layers);
        using var monitor = Monitor(model);
        Dictionary<string, Tensor> before = [];
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s => Regression(s, rows: s == 2 ? 1 : 16), Mse, beforeStep: s =>
        {
            if (s == 2)
                before = model.named_buffers().ToDictionary(b => b.name, b => b.buffer.detach().clone().DetachFromDisposeScope());
        });

        var a = First(results);
        Assert.AreEqual(2, a.Step);
        Assert.AreEqual(AnomalyKind.BatchNormDegenerate, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("bn1", a.ModulePath);
        Assert.IsTrue(a.NaNCount > 0, "the running variance did turn NaN, and the probe saw it");
        Assert.IsFalse(results[2].ShouldStep, "SkipStep acts on it");
        Assert.HasCount(15, before, "ten running statistics and five batch counters");
        foreach (var (name, buffer) in model.named_buffers())
        {
            CollectionAssert.AreEqual(TensorAssert.Values(before[name]), TensorAssert.Values(buffer), $"{name} is exactly its value before the skipped step");
            before[name].Dispose();
        }
    }

    [TestMethod]
    public void ANaNInAWeightIsANonFiniteParameterOfItsModule()
    {
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var fc2 = (nn.Module<Tensor, Tensor>)model.named_children().Single(c => c.name == "fc2").module;
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 3, s => Regression(s), Mse, beforeStep: s =>
        {
            if (s == 2)
                using (no_grad()) fc2.parameters().First()[0, 3] = float.NaN;
        });
        var a = First(results);
        Assert.AreEqual(2, a.Step);
        Assert.AreEqual(AnomalyKind.NonFiniteParameter, a.Kind);
        Assert.AreEqual(AnomalyPhase.Update, a.Phase);
        Assert.AreEqual("fc2", a.ModulePath);
        Assert.AreEqual(1, a.NaNCount);
    }

    [TestMethod]
    public void ADeadReLUNetworkIsAVanishingGradientAtTheReLU()
    {
        var fc1 = nn.Linear(4, 8);
        using (no_grad()) fc1.bias!.fill_(-100);
        var model = nn.Sequential(("fc1", fc1), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 8, s => Regression(s), Mse);
        var a = First(results, AnomalyKind.VanishingGradient);
        Assert.AreEqual(AnomalyKind.VanishingGradient, a.Kind);
        Assert.AreEqual(AnomalyPhase.Backward, a.Phase);
        Assert.AreEqual("relu", a.ModulePath);
        Assert.AreEqual("ReLU", a.Operation);
        StringAssert.Contains(a.Message, "fc1.weight");
        Assert.IsTrue(results.All(r => r.ShouldStep), "a vanishing gradient is recorded, not skipped");
    }

    [TestMethod]
    public void ALossWithABadReductionThatOverflowsIsALossFault()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 1)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1,
            s => (Regression(s).X, full(16, 1, 1e20f)),
            (p, y) => (p - y).pow(2).sum()); // (1e20)^2 overflows float32
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteLoss, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.IsNull(a.ModulePath);
        Assert.IsTrue(double.IsPositiveInfinity(results[0].Loss));
    }

    [TestMethod]
    public void TheInnermostModuleOfANestedBlockIsNamed()
    {
        var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("head", new Head(4)));
        using var monitor = Monitor(model);
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 1, s => Regression(s), (p, y) => p.mean());
        var a = First(results);
        Assert.AreEqual(AnomalyKind.NonFiniteActivation, a.Kind);
        Assert.AreEqual("head.squash", a.ModulePath);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
    }

    [TestMethod]
    public void AnExplodingLearningRateOnUnscaledWineIsFlaggedWhileTheLossIsStillFinite()
    {
        var (features, labels) = Wine.Load();
        manual_seed(3);
        var model = nn.Sequential(("fc1", nn.Linear(13, 16)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(16, 3)));
        using var monitor = Monitor(model);
        var optimizer = optim.SGD(model.parameters(), 1e-5);
        var results = Train(monitor, optimizer, 80, s =>
        {
            var index = arange(s * 16 % 160, s * 16 % 160 + 16);
            return (features.index_select(0, index), labels.index_select(0, index));
        }, CrossEntropy, beforeStep: s =>
        {
            if (s == 40)
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = 10; // the mistake: a learning rate a million times too large
        });
        Assert.IsTrue(results.Take(40).All(r => r.IsHealthy), "the calm start raises nothing: " +
            string.Join("; ", results.Take(40).SelectMany(r => r.Anomalies).Select(a => $"{a.Step}:{a.Kind}")));
        var first = results.Skip(40).SelectMany(r => r.Anomalies).FirstOrDefault();
        Assert.IsNotNull(first, "the divergence must be flagged");
        TestContext.WriteLine($"{first.Step}: {first.Kind} {first.Phase} {first.ModulePath} {first.Operation}: {first.Message}");
        // The first update at the new rate (weights copied at step 40, on the update-ratio schedule) moves fc1, which
        // unscaled wine feeds, by dozens of times its norm: caught at step 41, in the update, before any loss spike.
        Assert.AreEqual(41, first.Step);
        Assert.AreEqual(AnomalyKind.ExplodingGradient, first.Kind);
        Assert.AreEqual(AnomalyPhase.Update, first.Phase);
        Assert.AreEqual("fc1", first.ModulePath);
        Assert.IsTrue(double.IsFinite(results[(int)first.Step].Loss), "flagged while the loss is still finite");
    }

    [TestMethod]
    public void ABatchNormChannelWithNearZeroBatchVarianceIsReportedWhenActivationStatisticsAreDue()
    {
        var fc = nn.Linear(4, 6);
        using (no_grad())
        {
            fc.weight![2] = zeros(4); // channel 2 of the BatchNorm input is constant (its bias) across the batch
        }
        var model = nn.Sequential(("fc", fc), ("bn", nn.BatchNorm1d(6)), ("out", nn.Linear(6, 1)));
        using var monitor = Monitor(model, new MonitorOptions { PublishMetrics = false, ActivationStatisticsSchedule = Schedule.At(1) });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.0), 2, s => Regression(s), Mse);
        Assert.IsTrue(results[0].IsHealthy, "not checked at step 0");
        var a = First(results);
        Assert.AreEqual(1, a.Step);
        Assert.AreEqual(AnomalyKind.BatchNormDegenerate, a.Kind);
        Assert.AreEqual(AnomalyPhase.Forward, a.Phase);
        Assert.AreEqual("bn", a.ModulePath);
        StringAssert.Contains(a.Message, "1 of 6 channel(s)");
        Assert.IsTrue(results[1].ShouldStep, "a warning, not a skipped step");
    }

    [TestMethod]
    public void UnscaledWineBlowsUpWithinTheFirstStepsAndIsFlaggedBeforeTheLossIsNonFinite()
    {
        var (features, labels) = Wine.Load();
        manual_seed(4);
        var model = nn.Sequential(("fc1", nn.Linear(13, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3)));
        using var monitor = Monitor(model, new MonitorOptions { Policy = AnomalyPolicy.Record, PublishMetrics = false });
        var results = Train(monitor, optim.SGD(model.parameters(), 0.01), 12, s =>
        {
            var index = arange(s * 16 % 160, s * 16 % 160 + 16);
            return (features.index_select(0, index), labels.index_select(0, index));
        }, CrossEntropy);
        TestContext.WriteLine(string.Join("\n", results.Select((r, i) => $"{i}: loss {r.Loss:G4} grad {r.GradientNorm:G4} {string.Join(",", r.Anomalies.Select(a => a.Kind))}")));
        var first = results.SelectMany(r => r.Anomalies).First();
        TestContext.WriteLine($"{first.Step}: {first.Kind} {first.Phase} {first.ModulePath} {first.Operation}: {first.Message}");
        // The very first update (weights copied at step 0) moves the output layer by more than its own norm.
        Assert.AreEqual(1, first.Step);
        Assert.AreEqual(AnomalyKind.ExplodingGradient, first.Kind);
        Assert.AreEqual(AnomalyPhase.Update, first.Phase);
        Assert.AreEqual("fc2", first.ModulePath);
        Assert.IsTrue(double.IsFinite(results[(int)first.Step].Loss));
    }
}
