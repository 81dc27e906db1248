using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

[TestClass]
public sealed class JacobianDiagonalTests
{
    [TestMethod]
    public void DiagonalOfAnElementwiseFunctionOfAMatrix()
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 12, dtype: ScalarType.Float64).reshape(3, 4);
        var d = AD.JacobianDiagonal(z => z.sigmoid() * z, x);
        var s = x.sigmoid();
        TensorAssert.AreClose(s + x * s * (1 - s), d, 1e-14, 1e-15);
    }

    [TestMethod]
    public void ElementwiseFunctionWithShapedWeightsIsDiagonal()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, 1, 200, dtype: ScalarType.Float64).reshape(10, 20);
        var w = linspace(-3, 3, 200, dtype: ScalarType.Float64).reshape(10, 20);
        TensorAssert.AreClose(w, AD.JacobianDiagonal(z => z * w, x), 0, 0);
    }

    [TestMethod]
    public void DetachedStatisticsKeepTheJacobianDiagonal()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, 1, 100, dtype: ScalarType.Float64);
        var d = AD.JacobianDiagonal(z => z * z.detach().mean(), x);
        TensorAssert.AreClose(full_like(x, x.mean().ToDouble()), d, 1e-15, 1e-15);
    }

    [TestMethod]
    [DataRow("softmax")]
    [DataRow("cumsum")]
    [DataRow("matmul")]
    [DataRow("flip")]
    [DataRow("minus-mean")]
    public void NonDiagonalJacobiansAreRejected(string kind)
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 64, dtype: ScalarType.Float64);
        var a = linspace(0, 1, 64 * 64, dtype: ScalarType.Float64).reshape(64, 64);
        Func<Tensor, Tensor> f = kind switch
        {
            "softmax" => z => z.softmax(0),
            "cumsum" => z => z.cumsum(0),
            "matmul" => z => a.matmul(z),
            "flip" => z => z.flip(0),
            _ => z => z - z.mean(),
        };
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.JacobianDiagonal(f, x));
        StringAssert.Contains(e.Message, "not diagonal");
        StringAssert.Contains(e.Message, "Jacobian(f, x)");
    }

    [TestMethod]
    public void AFunctionThatChangesTheShapeIsRejected()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, 4, dtype: ScalarType.Float64);
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.JacobianDiagonal(z => z.sum(1), x));
        StringAssert.Contains(e.Message, "[3]");
        StringAssert.Contains(e.Message, "[3, 4]");
    }

    [TestMethod]
    public void AScalarInputIsItsOwnDiagonal()
    {
        using var scope = NewDisposeScope();
        var d = AD.JacobianDiagonal(z => z.exp(), tensor(0.5));
        Assert.AreEqual(Math.Exp(0.5), d.ToDouble(), 1e-15);
    }

    [TestMethod]
    public void TheSameFunctionIsCheckedAgainForAnotherShape()
    {
        using var scope = NewDisposeScope();
        Func<Tensor, Tensor> f = z => z.dim() == 1 ? z.sin() : z.cumsum(0);
        AD.JacobianDiagonal(f, linspace(0, 1, 10, dtype: ScalarType.Float64));
        Assert.ThrowsExactly<ArgumentException>(() => AD.JacobianDiagonal(f, ones(3, 3, dtype: ScalarType.Float64)));
    }

    [TestMethod]
    public void TheCheckDoesNotMoveTheRandomState()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, 1, 1000, dtype: ScalarType.Float64);
        manual_seed(7);
        var expected = rand(3, dtype: ScalarType.Float64);
        manual_seed(7);
        AD.JacobianDiagonal(z => z.sin(), x);
        TensorAssert.AreClose(expected, rand(3, dtype: ScalarType.Float64), 0, 0);
    }
}
