using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

[TestClass]
public sealed class HessianOperatorTests
{
    [TestMethod]
    public void ApplyOnAQuadraticIsTheMatrixTimesV()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(new[] { 9.0, 4.0, -3.0, 1e-3, 0.0, 2.5, -7.0, 1.0 });
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(8));
        Assert.AreEqual(8, h.Dimension);
        for (int seed = 0; seed < 3; seed++)
        {
            var v = TestProblems.Point(8, seed);
            TensorAssert.AreClose(a.mv(v), h.Apply(v), rtol: 0, atol: 1e-10);
        }
    }

    [TestMethod]
    public void ApplyOnATinyMlpIsTheAutodiffHessianTimesV()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        var hessian = TrainingDiagnostics.Autodiff.Hessian(mlp.LossOf, mlp.FlatParameters());
        using var h = HessianOperator.ForLoss(mlp.Model, mlp.Loss);
        Assert.AreEqual(32, h.Dimension);
        Assert.AreEqual(ScalarType.Float64, h.DType);
        for (int seed = 0; seed < 3; seed++)
        {
            var v = TestProblems.Point(32, seed);
            TensorAssert.AreClose(hessian.mv(v), h.Apply(v), rtol: 0, atol: 1e-10);
        }
    }

    [TestMethod]
    public void ApplyOnALinearFunctionIsZero()
    {
        using var scope = NewDisposeScope();
        var w = TestProblems.Point(5);
        using var h = HessianOperator.ForFunction(x => x.dot(w), TestProblems.Point(5, 1));
        TensorAssert.IsZero(h.Apply(ones(5, ScalarType.Float64)));
    }

    [TestMethod]
    public void ForLossLeavesGradBuffersModesRngAndRequiresGradAsFound()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var model = nn.Sequential(
            ("fc1", nn.Linear(4, 6, dtype: ScalarType.Float64)),
            ("bn", nn.BatchNorm1d(6, dtype: ScalarType.Float64)),
            ("drop", nn.Dropout(0.3)),
            ("act", nn.Tanh()),
            ("fc2", nn.Linear(6, 1, dtype: ScalarType.Float64)));
        model.train();
        model.named_children().Single(c => c.name == "drop").module.eval(); // mixed modes must come back mixed
        var frozen = model.named_parameters().Single(p => p.name == "fc2.bias").parameter;
        frozen.requires_grad_(false);
        var x = randn(16, 4, ScalarType.Float64);
        var y = randn(16, 1, ScalarType.Float64);
        Tensor Loss() => nn.functional.mse_loss(model.call(x), y);

        Loss().backward(); // the user's own gradients, which the operator must not touch
        var grads = model.parameters().Select(p => p.grad?.clone()).ToArray();
        var buffers = model.buffers().Select(b => b.clone()).ToArray();
        var modes = model.modules().Select(m => m.training).ToArray();
        var requiresGrad = model.parameters().Select(p => p.requires_grad).ToArray();
        var rng = get_rng_state().clone();

        foreach (var mode in new[] { BatchNormMode.AsFound, BatchNormMode.Train, BatchNormMode.Eval })
        {
            using var h = HessianOperator.ForLoss(model, Loss, new HessianOptions { BatchNorm = mode });
            Assert.AreEqual(6 * 4 + 6 + 6 + 6 + 6, h.Dimension, "the frozen fc2.bias is not a variable");
            var v = ones(h.Dimension, ScalarType.Float64);
            var first = h.Apply(v);
            TensorAssert.AreClose(first, h.Apply(v), 0, 0, "the operator is one fixed matrix (same dropout mask, same statistics)");
            Curvature.Trace(h, new TraceOptions { MaxMatVecs = 4, MinMatVecs = 4 });

            var after = model.parameters().ToArray();
            for (int i = 0; i < after.Length; i++)
            {
                Assert.AreEqual(requiresGrad[i], after[i].requires_grad, $"requires_grad of parameter {i} ({mode})");
                if (grads[i] is null)
                    Assert.IsNull(after[i].grad, $"parameter {i} had no .grad ({mode})");
                else
                    TensorAssert.AreClose(grads[i]!, after[i].grad!, 0, 0, $".grad of parameter {i} ({mode})");
            }
            var buffersAfter = model.buffers().ToArray();
            for (int i = 0; i < buffers.Length; i++)
                TensorAssert.AreClose(buffers[i], buffersAfter[i], 0, 0, $"buffer {i} ({mode})");
            CollectionAssert.AreEqual(modes, model.modules().Select(m => m.training).ToArray(), $"train/eval modes ({mode})");
            CollectionAssert.AreEqual(rng.data<byte>().ToArray(), get_rng_state().data<byte>().ToArray(), $"the CPU RNG state ({mode})");
        }
    }

    [TestMethod]
    public void BatchNormModesGiveTheTrainAndEvalCurvature()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var model = nn.Sequential(("fc", nn.Linear(3, 4, dtype: ScalarType.Float64)), ("bn", nn.BatchNorm1d(4, dtype: ScalarType.Float64)), ("act", nn.Tanh()));
        var x = randn(10, 3, ScalarType.Float64);
        Tensor Loss() => model.call(x).pow(2).mean();
        using (no_grad())
            Loss(); // one train-mode forward gives running statistics that differ from the batch's
        var v = ones(4 * 3 + 4 + 4 + 4, ScalarType.Float64);

        Tensor ApplyIn(bool training, BatchNormMode mode)
        {
            model.train(training);
            using var h = HessianOperator.ForLoss(model, Loss, new HessianOptions { BatchNorm = mode });
            return h.Apply(v);
        }
        TensorAssert.AreClose(ApplyIn(true, BatchNormMode.AsFound), ApplyIn(false, BatchNormMode.Train), 1e-12, 1e-12);
        TensorAssert.AreClose(ApplyIn(false, BatchNormMode.AsFound), ApplyIn(true, BatchNormMode.Eval), 1e-12, 1e-12);
        var train = TensorAssert.Values(ApplyIn(true, BatchNormMode.Train));
        var eval = TensorAssert.Values(ApplyIn(true, BatchNormMode.Eval));
        Assert.IsTrue(train.Zip(eval).Any(p => Math.Abs(p.First - p.Second) > 1e-6), "batch statistics and running statistics give different curvature");
    }

    [TestMethod]
    public void OperatorAndEstimatorsLeakNoTensors()
    {
        using var mlp = new TestProblems.TinyMlp();
        var guard = new TensorLeakGuard();
        using (var scope = NewDisposeScope())
        {
            using var h = HessianOperator.ForLoss(mlp.Model, mlp.Loss);
            h.Apply(ones(h.Dimension, ScalarType.Float64));
            Curvature.Trace(h, new TraceOptions { MaxMatVecs = 5, MinMatVecs = 5 });
            Curvature.Trace(h, new TraceOptions { Method = TraceMethod.HutchPlusPlus, MaxMatVecs = 9 });
            Curvature.TopEigenvalues(h, 2, new EigenOptions { MaxMatVecs = 6 });
            Curvature.Density(h, new DensityOptions { Runs = 2, StepsPerRun = 5 });
            Curvature.Diagonal(h, new DiagonalOptions { MaxMatVecs = 3 });
        }
        guard.AssertLive(0, "ForLoss, Apply and the estimators");

        using (var scope = NewDisposeScope())
        {
            var x = ones(4, ScalarType.Float64);
            using var h = HessianOperator.ForFunction(z => z.pow(3).sum(), x);
            h.Apply(x);
        }
        guard.AssertLive(0, "ForFunction and Apply");
    }

    [TestMethod]
    public void ApplyWithAVectorOfTheWrongSizeThrowsAnArgumentExceptionThatSaysExpectedAndActual()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        using var h = HessianOperator.ForLoss(mlp.Model, mlp.Loss);
        var wrong = Assert.ThrowsExactly<ArgumentException>(() => h.Apply(ones(31, ScalarType.Float64)));
        StringAssert.Contains(wrong.Message, "32 elements");
        StringAssert.Contains(wrong.Message, "[31]");
        var matrix = Assert.ThrowsExactly<ArgumentException>(() => h.Apply(ones(4, 8, ScalarType.Float64)));
        StringAssert.Contains(matrix.Message, "[4, 8]");
        StringAssert.Contains(matrix.Message, "reshape(-1)");
        Assert.ThrowsExactly<ArgumentException>(() => h.Apply(ones(32, ScalarType.Int64)));
        // The operator is still usable after the refusals.
        Assert.AreEqual(32, h.Apply(ones(32, ScalarType.Float64)).shape[0]);
    }

    [TestMethod]
    public void AfterAnInPlaceChangeApplyIsStillTheHessianWhereItWasBuiltOrAnInvalidOperationException()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        using var h = HessianOperator.ForLoss(mlp.Model, mlp.Loss);
        var v = TestProblems.Point(32);
        var before = h.Apply(v);
        var parameters = mlp.Model.parameters().ToArray();

        // fc1.weight multiplies the input, which needs no gradient: libtorch saved the activations, not the weight, so
        // the kept graph still describes the Hessian at the point where the operator was built.
        using (no_grad())
            parameters[0].add_(0.1);
        TensorAssert.AreClose(before, h.Apply(v), 0, 0);

        // fc2.weight was saved for the backward pass: libtorch refuses, and the refusal is an exception, not an abort.
        using (no_grad())
            parameters[2].add_(0.1); // what an optimizer step does
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => h.Apply(v));
        StringAssert.Contains(e.Message, "new operator");
        Assert.IsTrue(parameters.All(p => p.grad is null), "no .grad left behind by the failed pass");
    }

    [TestMethod]
    public void ANonScalarLossOrAFrozenModelIsAnArgumentException()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        var vector = Assert.ThrowsExactly<ArgumentException>(() => HessianOperator.ForLoss(mlp.Model, () => mlp.Model.call(mlp.Inputs)));
        StringAssert.Contains(vector.Message, "scalar");
        foreach (var p in mlp.Model.parameters())
            p.requires_grad_(false);
        var frozen = Assert.ThrowsExactly<ArgumentException>(() => HessianOperator.ForLoss(mlp.Model, mlp.Loss));
        StringAssert.Contains(frozen.Message, "requires_grad");
        Assert.ThrowsExactly<ArgumentException>(() => HessianOperator.ForFunction(x => x * 2, ones(3, ScalarType.Float64)));
    }

    [TestMethod]
    public void AFloat32ModelGivesAFloat32Operator()
    {
        using var scope = NewDisposeScope();
        var model = nn.Linear(3, 1);
        var x = ones(4, 3);
        using var h = HessianOperator.ForLoss(model, () => model.call(x).pow(2).mean());
        Assert.AreEqual(ScalarType.Float32, h.DType);
        Assert.AreEqual(ScalarType.Float32, h.Apply(ones(4, ScalarType.Float64)).dtype);
    }
}
