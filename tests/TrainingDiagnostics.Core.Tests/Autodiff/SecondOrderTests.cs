using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

[TestClass]
public sealed class SecondOrderTests
{
    private static readonly double[] Point = { -1.2, 1.0, 0.7, -0.3, 2.1 };

    [TestMethod]
    public void RosenbrockHessianMatchesAnalyticAndFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Point);
        var h = AD.Hessian(GradientTests.Rosenbrock, x);
        CollectionAssert.AreEqual(new long[] { 5, 5 }, h.shape);
        TensorAssert.AreClose(tensor(GradientTests.RosenbrockHessian(Point)), h, rtol: 1e-13, atol: 1e-12);
        TensorAssert.AreClose(FiniteDifferences.Hessian(GradientTests.Rosenbrock, x), h, rtol: 1e-5, atol: 1e-4);
    }

    [TestMethod]
    public void RosenbrockHvpIsTheHessianTimesV()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Point);
        var v = tensor(new[] { 0.5, -1.0, 2.0, 0.0, 1.5 });
        var hv = AD.Hvp(GradientTests.Rosenbrock, x, v);
        TensorAssert.AreClose(tensor(GradientTests.RosenbrockHessian(Point)).matmul(v), hv, rtol: 1e-13, atol: 1e-11);
    }

    [TestMethod]
    public void HessianOfAMatrixInputHasShapeXShapeTwice()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -0.5, 1.5, 0.25, 1.0, -2.0 }).reshape(2, 3);
        Tensor F(Tensor m) => (m.sin() * m.sum()).sum();
        var h = AD.Hessian(F, x);
        CollectionAssert.AreEqual(new long[] { 2, 3, 2, 3 }, h.shape);
        TensorAssert.AreClose(FiniteDifferences.Hessian(F, x), h, rtol: 1e-5, atol: 1e-5);
        TensorAssert.AreClose(h, h.reshape(6, 6).t().reshape(2, 3, 2, 3), 1e-14, 1e-14, "a Hessian is symmetric");
    }

    [TestMethod]
    public void QuadraticFormHessianIsTheSymmetrizedMatrix()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 2.0, 1.0, 0.0, 3.0 }).reshape(2, 2);
        var x = tensor(new[] { 0.3, -0.7 });
        var h = AD.Hessian(z => z.matmul(a).matmul(z), x);
        TensorAssert.AreClose(a + a.t(), h, 0, 0);
        TensorAssert.AreClose((a + a.t()).matmul(x), AD.Hvp(z => z.matmul(a).matmul(z), x, x), 1e-15, 1e-15);
    }

    [TestMethod]
    public void LinearFunctionHasAZeroHessianAndHvp()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var w = tensor(new[] { 4.0, 5.0, 6.0 });
        TensorAssert.IsZero(AD.Hessian(z => z.dot(w), x));
        TensorAssert.IsZero(AD.Hvp(z => z.dot(w), x, w));
    }

    [TestMethod]
    public void MultiInputHessianBlocksMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 0.3, -0.6 });
        var b = tensor(new[] { 1.2, 0.4, -0.1 });
        Tensor F(Tensor[] z) => z[0].sin().sum() * z[1].pow(2).sum() + z[0][0] * z[1][2];
        Tensor Joint(Tensor v) => F(new[] { v[..2], v[2..] });
        var full = FiniteDifferences.Hessian(Joint, cat(new[] { a, b }));
        var blocks = AD.Hessian(F, new[] { a, b });
        TensorAssert.AreClose(full[..2, ..2], blocks[0][0], 1e-5, 1e-5);
        TensorAssert.AreClose(full[..2, 2..], blocks[0][1], 1e-5, 1e-5);
        TensorAssert.AreClose(full[2.., ..2], blocks[1][0], 1e-5, 1e-5);
        TensorAssert.AreClose(full[2.., 2..], blocks[1][1], 1e-5, 1e-5);

        var va = tensor(new[] { 1.0, -1.0 });
        var vb = tensor(new[] { 0.5, 2.0, 0.0 });
        var hv = AD.Hvp(F, new[] { a, b }, new[] { va, vb });
        var expected = full.matmul(cat(new[] { va, vb }));
        TensorAssert.AreClose(expected[..2], hv[0], 1e-5, 1e-5);
        TensorAssert.AreClose(expected[2..], hv[1], 1e-5, 1e-5);
    }

    [TestMethod]
    public void HvpRejectsADirectionOfTheWrongShape()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Point);
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Hvp(GradientTests.Rosenbrock, x, ones(3, dtype: ScalarType.Float64)));
        StringAssert.Contains(e.Message, "[5]");
        StringAssert.Contains(e.Message, "[3]");
    }

    [TestMethod]
    public void HessianOfAVectorFunctionIsRejected()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Hessian(z => z * z, tensor(new[] { 1.0, 2.0 })));
        StringAssert.Contains(e.Message, "scalar-valued");
    }
}
