using TorchSharp;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>
/// The monitor never changes training: the weights after N monitored steps are bit for bit those of N plain steps (forward,
/// backward from gradients of None, optimizer step), whatever the user's loop does with <c>.grad</c> between steps (zeroing in
/// place, setting to None, clipping, freezing a parameter, a parameter unused by some losses, accumulating over several
/// backward passes), and the gradients it leaves are bit for bit (signs of zeros included) those of a plain backward pass.
/// </summary>
[TestClass]
public sealed class TrainingIdentityTests
{
    private const int Steps = 12;

    /// <summary>What the user's loop does with the gradients besides stepping the optimizer.</summary>
    public enum UserLoop
    {
        Nothing,
        OptimizerZeroGrad, // TorchSharp's Optimizer.zero_grad zeroes in place
        ModuleZeroGrad, // Module.zero_grad sets to None
        Clip,
        FreezeMidRun,
        FrozenFromTheStartThenThawed,
        UnusedSometimes,
        ClosureClearsGradients,
    }

    [TestMethod]
    [DataRow("SGD", false)]
    [DataRow("SGD", true)]
    [DataRow("Adam", false)]
    [DataRow("Adam", true)]
    public void MonitoredStepsLeaveTheWeightsBitIdenticalToPlainSteps(string optimizer, bool batchNorm)
    {
        var plain = Train(optimizer, batchNorm, UserLoop.Nothing, monitored: false);
        var monitored = Train(optimizer, batchNorm, UserLoop.Nothing, monitored: true);
        AssertBitIdentical(plain, monitored);
    }

    [TestMethod]
    [DataRow("SGD", false)]
    [DataRow("Adam", true)]
    public void MonitoredStepsMeasuringWeightsAndUpdatesAtEveryStepLeaveTheWeightsBitIdentical(string optimizer, bool batchNorm)
    {
        // The update ratios keep a copy of the weights and subtract in CPU memory: only the copy may change, never a weight.
        var plain = Train(optimizer, batchNorm, UserLoop.Nothing, monitored: false);
        var monitored = Train(optimizer, batchNorm, UserLoop.Nothing, monitored: true, everyStep: true);
        AssertBitIdentical(plain, monitored);
    }

    [TestMethod]
    [DataRow(UserLoop.OptimizerZeroGrad)]
    [DataRow(UserLoop.ModuleZeroGrad)]
    [DataRow(UserLoop.Clip)]
    [DataRow(UserLoop.FreezeMidRun)]
    [DataRow(UserLoop.FrozenFromTheStartThenThawed)]
    [DataRow(UserLoop.UnusedSometimes)]
    [DataRow(UserLoop.ClosureClearsGradients)]
    public void WhatTheUsersLoopDoesWithGradientsTrainsAsWithoutTheMonitor(UserLoop loop)
    {
        var plain = Train("Adam", batchNorm: true, loop, monitored: false);
        var monitored = Train("Adam", batchNorm: true, loop, monitored: true);
        AssertBitIdentical(plain, monitored);
    }

    [TestMethod]
    public void AFrozenOrUnusedParameterHasNoGradientAndNoNormAfterAMonitoredStep()
    {
        manual_seed(3);
        var model = new TwoHeads(batchNorm: false);
        var frozen = model.named_parameters().Single(p => p.name == "body.fc1.bias").parameter;
        frozen.requires_grad = false;
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        using var scope = NewDisposeScope();
        var x = randn(16, 6, generator: new Generator(4));
        var result = monitor.Step(0, () => model.call(x).pow(2).mean());
        var layers = result.Record!.Layers.ToDictionary(l => l.Name);
        foreach (var (name, p) in model.named_parameters())
        {
            if (name == "body.fc1.bias" || name.StartsWith("other.", StringComparison.Ordinal))
            {
                Assert.IsNull(p.grad, $"{name} got no gradient: its .grad stays None");
                Assert.IsNull(layers[name].GradientNorm, name);
                continue;
            }
            var values = TensorAssert.Values(p.grad!);
            double expected = Math.Sqrt(values.Sum(v => v * v));
            Assert.IsGreaterThan(0.0, expected, name);
            Assert.AreEqual(expected, layers[name].GradientNorm!.Value, expected * 1e-12, name);
        }
    }

    [TestMethod]
    public void GradientAccumulationOverSeveralMonitoredStepsMatchesPlainAccumulation()
    {
        // With ZeroGradients off the monitor leaves .grad to the caller, who accumulates two batches per optimizer step.
        long[][] Run(bool monitored)
        {
            manual_seed(11);
            var model = Mlp(batchNorm: true);
            var optimizer = optim.Adam(model.parameters(), 0.01);
            using var monitor = monitored ? new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, ZeroGradients = false }) : null;
            for (int step = 0; step < Steps; step++)
            {
                using var scope = NewDisposeScope();
                var (x, y) = Batch(step);
                if (monitor is null)
                    Loss(model, x, y).backward();
                else
                    monitor.Step(step, () => Loss(model, x, y));
                if (step % 2 == 1)
                {
                    optimizer.step();
                    optimizer.zero_grad();
                }
            }
            return Bits(model);
        }
        AssertBitIdentical(Run(monitored: false), Run(monitored: true));
    }

    [TestMethod]
    public void TheGradientsAfterAMonitoredStepAreThoseOfAPlainBackwardPassSignsOfZeroIncluded()
    {
        // Parameters used elementwise by a loss scaled by zero: every gradient entry is a zero with the sign of its
        // coefficient, -0.0 or +0.0 (reductions and matrix products in a network's backward pass give +0.0 only). The
        // monitor must leave the signs, and leave the BatchNorm's parameters, unused by this loss, without gradient.
        float[]?[] Gradients(bool monitored)
        {
            manual_seed(17);
            var fc = nn.Linear(6, 4);
            var model = nn.Sequential(("fc", fc), ("bn", nn.BatchNorm1d(4)));
            var cw = randn(4, 6, generator: new Generator(5));
            var cb = tensor(new[] { 1f, -1f, -2f, 3f });
            using var scope = NewDisposeScope();
            Tensor Loss() => ((fc.weight! * cw).sum() + (fc.bias! * cb).sum()) * 0f;
            if (monitored)
            {
                using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
                monitor.Step(0, Loss);
            }
            else
            {
                Loss().backward();
            }
            return model.parameters().Select(p => p.grad?.data<float>().ToArray()).ToArray();
        }
        var plain = Gradients(monitored: false);
        var monitored = Gradients(monitored: true);
        Assert.IsTrue(plain[0]!.Any(v => v == 0 && float.IsNegative(v)) && plain[0]!.Any(v => v == 0 && !float.IsNegative(v)), "the check needs both zeros");
        for (int i = 0; i < plain.Length; i++)
        {
            if (plain[i] is null)
            {
                Assert.IsNull(monitored[i], $"parameter {i} got no gradient");
                continue;
            }
            CollectionAssert.AreEqual(plain[i]!.Select(BitConverter.SingleToInt32Bits).ToArray(), monitored[i]!.Select(BitConverter.SingleToInt32Bits).ToArray(), $"gradient {i}");
        }
        Assert.IsNull(plain[2], "the BatchNorm's weight is unused by this loss");
    }

    [TestMethod]
    public void TheUpdateRatiosAreThoseOfTheUpdateAndWeightNormsLibtorchComputes()
    {
        // Truth: the weights copied before the optimizer's step, the update w_prev - w and both norms computed by libtorch on
        // copies, ratio ‖w_prev - w‖ / ‖w_prev‖; the monitor's ratios (host subtraction on CPU) must equal them bit for bit.
        manual_seed(11);
        var model = Mlp(batchNorm: true);
        var parameters = model.parameters().ToList();
        var optimizer = optim.Adam(parameters, 0.01);
        using var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            PublishMetrics = false,
            Optimizer = optimizer,
            UpdateRatioSchedule = Schedule.Every(2),
            WeightNormSchedule = Schedule.Every(2),
        });
        double?[]? expected = null;
        int compared = 0, measured = 0;
        for (int step = 0; step < 6; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(step);
            var before = step % 2 == 0 ? parameters.Select(p => p.detach().clone()).ToList() : null;
            var result = monitor.Step(step, () => Loss(model, x, y));
            if (expected is not null)
            {
                var ratios = result.Record!.Layers.Select(l => l.UpdateRatio).ToArray();
                for (int i = 0; i < expected.Length; i++)
                {
                    if (expected[i] is not { } truth)
                    {
                        Assert.IsNull(ratios[i], $"step {step}, parameter {i}: a weight of norm 0 has no ratio");
                        continue;
                    }
                    Assert.AreEqual(BitConverter.DoubleToInt64Bits(truth), BitConverter.DoubleToInt64Bits(ratios[i]!.Value), $"step {step}, parameter {i}: {ratios[i]} against {truth}");
                    measured++;
                }
                compared++;
                expected = null;
            }
            Assert.IsTrue(result.ShouldStep);
            optimizer.step();
            if (before is not null)
            {
                using var noGrad = no_grad();
                expected = before.Select((w, i) => w.norm(2f).ToDouble() is var norm && norm > 0 ? w.sub(parameters[i]).norm(2f).ToDouble() / norm : (double?)null).ToArray();
            }
        }
        Assert.AreEqual(3, compared, "the ratios are measured at the steps after the copies (1, 3, 5)");
        Assert.IsGreaterThan(3 * parameters.Count / 2, measured, "most parameters have a ratio at each of those steps");
    }

    [TestMethod]
    public void TheGradientNormsAreTheSequentialDoubleSumsOfEachGradient()
    {
        // Truth: each .grad read after the monitored step, its squares summed in double in element order, square root.
        // The monitor sums several gradients side by side; each sum must still be that sequential sum, bit for bit.
        manual_seed(13);
        var model = Mlp(batchNorm: true);
        var parameters = model.parameters().ToList();
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false });
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(step);
            var result = monitor.Step(step, () => Loss(model, x, y));
            for (int i = 0; i < parameters.Count; i++)
            {
                double sum = 0;
                foreach (float v in parameters[i].grad!.data<float>().ToArray())
                    sum += (double)v * v;
                double norm = result.Record!.Layers[i].GradientNorm!.Value;
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(Math.Sqrt(sum)), BitConverter.DoubleToInt64Bits(norm), $"step {step}, parameter {i}: {norm} against {Math.Sqrt(sum)}");
            }
        }
    }

    [TestMethod]
    public void ASkippedStepPutsBackTheBatchNormBuffersBitForBit()
    {
        // Truth: the buffers cloned before the step. A NaN in the batch poisons the running statistics in the forward pass;
        // SkipStep must put them back to the clones' bits (the monitor copies CPU buffers in host memory).
        manual_seed(19);
        var model = Mlp(batchNorm: true);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { PublishMetrics = false, Policy = AnomalyPolicy.SkipStep });
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(step);
            monitor.Step(step, () => Loss(model, x, y));
        }
        using (var scope = NewDisposeScope())
        {
            var before = Bits(model);
            var (clean, y) = Batch(3);
            var values = clean.data<float>().ToArray();
            values[0] = float.NaN;
            var x = tensor(values).reshape(clean.shape);
            var result = monitor.Step(3, () => Loss(model, x, y));
            Assert.IsFalse(result.ShouldStep, "a NaN loss is skipped");
            var after = Bits(model);
            Assert.IsTrue(model.buffers().Any(b => b.dtype == ScalarType.Int64), "num_batches_tracked is among the buffers compared");
            AssertBitIdentical(before, after);
        }
    }

    private static long[][] Train(string optimizerName, bool batchNorm, UserLoop loop, bool monitored, bool everyStep = false)
    {
        manual_seed(7);
        var model = new TwoHeads(batchNorm);
        var parameters = model.parameters().ToList();
        var thawing = model.named_parameters().Single(p => p.name == "body.fc1.bias").parameter;
        if (loop == UserLoop.FrozenFromTheStartThenThawed)
            thawing.requires_grad = false; // fine-tuning: frozen before the monitor starts
        optim.Optimizer optimizer = optimizerName == "SGD" ? optim.SGD(parameters, 0.05, momentum: 0.9) : optim.Adam(parameters, 0.01);
        var options = new MonitorOptions { PublishMetrics = false, Optimizer = optimizer };
        if (everyStep)
            options = options with { UpdateRatioSchedule = Schedule.Every(1), WeightNormSchedule = Schedule.Every(1) };
        using var monitor = monitored ? new TrainingMonitor(model, options) : null;
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(step);
            model.Other = loop == UserLoop.UnusedSometimes && step % 3 == 2;
            if (loop == UserLoop.FreezeMidRun && step == Steps / 2)
                model.named_parameters().Single(p => p.name == "body.fc2.weight").parameter.requires_grad = false;
            if (loop == UserLoop.FrozenFromTheStartThenThawed && step == Steps / 2)
                thawing.requires_grad = true;
            Tensor LossOf()
            {
                if (loop == UserLoop.ClosureClearsGradients)
                    model.zero_grad();
                return nn.functional.mse_loss(model.call(x), y);
            }
            if (monitor is null)
            {
                foreach (var p in parameters)
                    p.grad = null; // what the monitor's reset stands for: every gradient None before the forward pass
                LossOf().backward();
            }
            else
            {
                monitor.Step(step, LossOf);
            }
            if (loop == UserLoop.Clip)
                nn.utils.clip_grad_norm_(parameters, 0.05);
            optimizer.step();
            if (loop == UserLoop.OptimizerZeroGrad)
                optimizer.zero_grad();
            if (loop == UserLoop.ModuleZeroGrad)
                model.zero_grad();
        }
        return Bits(model);
    }

    /// <summary>An MLP body and two heads on it; a loss uses one head, so the other head's parameters get no gradient.</summary>
    private sealed class TwoHeads : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> body;
        private readonly nn.Module<Tensor, Tensor> head;
        private readonly nn.Module<Tensor, Tensor> other;

        public TwoHeads(bool batchNorm) : base(nameof(TwoHeads))
        {
            body = Mlp(batchNorm);
            head = nn.Linear(8, 1);
            other = nn.Linear(8, 1);
            RegisterComponents();
        }

        /// <summary>Whether the next forward pass goes through the other head.</summary>
        public bool Other { get; set; }

        public override Tensor forward(Tensor input) => (Other ? other : head).call(body.call(input));
    }

    private static nn.Module<Tensor, Tensor> Mlp(bool batchNorm)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("fc1", nn.Linear(6, 12)) };
        if (batchNorm)
            layers.Add(("bn1", nn.BatchNorm1d(12)));
        layers.Add(("relu1", nn.ReLU()));
        layers.Add(("fc2", nn.Linear(12, 8)));
        if (batchNorm)
            layers.Add(("bn2", nn.BatchNorm1d(8)));
        layers.Add(("relu2", nn.ReLU()));
        return nn.Sequential(layers);
    }

    private static Tensor Loss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) => model.call(x).sum(1, keepdim: true).sub(y).pow(2).mean();

    private static (Tensor X, Tensor Y) Batch(int step)
    {
        var generator = new Generator((ulong)(500 + step));
        var x = randn(16, 6, generator: generator);
        return (x, x.sum(1, keepdim: true).tanh());
    }

    private static long[][] Bits(nn.Module model) =>
        model.parameters().Concat(model.buffers()).Select(t => t.to(ScalarType.Float64).data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray()).ToArray();

    private static void AssertBitIdentical(long[][] expected, long[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            CollectionAssert.AreEqual(expected[i], actual[i], $"tensor {i} differs");
    }
}
