using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

[TestClass]
public sealed class JacobianTests
{
    private static Tensor Softmax(Tensor x) => x.softmax(0);

    private static Tensor SoftmaxJacobian(Tensor x)
    {
        var s = x.softmax(0);
        return diag(s) - s.outer(s);
    }

    [TestMethod]
    [DataRow(JacobianMode.Reverse)]
    [DataRow(JacobianMode.Forward)]
    [DataRow(JacobianMode.Auto)]
    public void SoftmaxJacobianIsDiagSMinusSSTransposed(JacobianMode mode)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.0, 2.0, 0.1 });
        var j = AD.Jacobian(Softmax, x, mode);
        TensorAssert.AreClose(SoftmaxJacobian(x), j, rtol: 1e-13, atol: 1e-15);
        TensorAssert.AreClose(FiniteDifferences.Jacobian(Softmax, x), j, rtol: 1e-7, atol: 1e-9);
    }

    [TestMethod]
    [DataRow(JacobianMode.Reverse)]
    [DataRow(JacobianMode.Forward)]
    public void MatrixProductJacobianIsTheMatrix(JacobianMode mode)
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0, 3.0, -4.0, 5.0, -6.0, 0.5, 0.25, 8.0, 9.0, 10.0, 11.0 }).reshape(4, 3);
        var x = tensor(new[] { 0.3, -0.2, 0.9 });
        TensorAssert.AreClose(a, AD.Jacobian(z => a.matmul(z), x, mode), 0, 0);
    }

    [TestMethod]
    public void ForwardAndReverseAgreeOnANonlinearMapOfMatrices()
    {
        using var scope = NewDisposeScope();
        var w = tensor(new[] { 0.2, -0.4, 0.6, 0.8, -1.0, 1.2 }).reshape(3, 2);
        var x = tensor(new[] { 0.5, -0.5, 1.5, 0.25 }).reshape(2, 2);
        Tensor F(Tensor m) => w.matmul(m).tanh().pow(2); // [3, 2] -> shape of J: [3, 2, 2, 2]
        var reverse = AD.Jacobian(F, x, JacobianMode.Reverse);
        var forward = AD.Jacobian(F, x, JacobianMode.Forward);
        CollectionAssert.AreEqual(new long[] { 3, 2, 2, 2 }, reverse.shape);
        TensorAssert.AreClose(reverse, forward, rtol: 1e-13, atol: 1e-15);
        TensorAssert.AreClose(FiniteDifferences.Jacobian(F, x), reverse, rtol: 1e-7, atol: 1e-9);
    }

    [TestMethod]
    public void JacobianOfAScalarFunctionHasTheInputShape()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var j = AD.Jacobian(z => z.pow(2).sum(), x);
        CollectionAssert.AreEqual(new long[] { 3 }, j.shape);
        TensorAssert.AreClose(2 * x, j, 0, 0);
    }

    [TestMethod]
    public void JacobianWithRespectToAScalarInput()
    {
        using var scope = NewDisposeScope();
        var t = tensor(0.7);
        var j = AD.Jacobian(s => stack(new[] { s.sin(), s.cos(), s * s }), t);
        CollectionAssert.AreEqual(new long[] { 3 }, j.shape);
        TensorAssert.AreClose(tensor(new[] { Math.Cos(0.7), -Math.Sin(0.7), 1.4 }), j, 1e-15, 1e-15);
    }

    [TestMethod]
    [DataRow(JacobianMode.Reverse)]
    [DataRow(JacobianMode.Forward)]
    public void MultiInputJacobiansMatchFiniteDifferences(JacobianMode mode)
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 0.2, 0.9, -0.3 });
        var b = tensor(new[] { 1.5, -0.5 });
        Tensor F(Tensor[] z) => stack(new[] { z[0].sum() * z[1][0], (z[0] * z[0]).sum() + z[1][1].exp(), z[0][0] * z[1][1] });
        var j = AD.Jacobian(F, new[] { a, b }, mode);
        TensorAssert.AreClose(FiniteDifferences.Jacobian(z => F(new[] { z, b }), a), j[0], rtol: 1e-7, atol: 1e-9);
        TensorAssert.AreClose(FiniteDifferences.Jacobian(z => F(new[] { a, z }), b), j[1], rtol: 1e-7, atol: 1e-9);
    }

    [TestMethod]
    [DataRow(JacobianMode.Reverse)]
    [DataRow(JacobianMode.Forward)]
    public void ConstantFunctionHasAZeroJacobianOfTheRightShape(JacobianMode mode)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 });
        var j = AD.Jacobian(_ => ones(3, dtype: ScalarType.Float64), x, mode);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, j.shape);
        TensorAssert.IsZero(j);
    }

    [TestMethod]
    public void LinearFunctionInForwardModeIsExact()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var j = AD.Jacobian(z => z.flip(0) * 2, x, JacobianMode.Forward);
        TensorAssert.AreClose(2 * eye(3, dtype: ScalarType.Float64).flip(0), j, 0, 0);
    }
}
