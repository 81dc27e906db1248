using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Autodiff;

/// <summary>The seed forum thread's questions, each checked against its analytic answer.</summary>
[TestClass]
public sealed class SeedThreadTests
{
    [TestMethod]
    public void DerivativeOfSinOverLinspaceIsCos()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, Math.PI, 100, dtype: ScalarType.Float64);
        var d = TrainingDiagnostics.Autodiff.JacobianDiagonal(sin, x);
        TensorAssert.AreClose(cos(x), d, rtol: 1e-14, atol: 1e-15);
        TensorAssert.AreClose(FiniteDifferences.Jacobian(sin, x).diagonal(), d, rtol: 1e-8, atol: 1e-9);
    }

    [TestMethod]
    public void DerivativeOfSinInFloat32IsCosInFloat32()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, Math.PI, 100, dtype: ScalarType.Float32);
        var d = TrainingDiagnostics.Autodiff.JacobianDiagonal(sin, x);
        Assert.AreEqual(ScalarType.Float32, d.dtype);
        TensorAssert.AreClose(cos(x.to(ScalarType.Float64)), d, rtol: 1e-6, atol: 1e-6);
    }

    [TestMethod]
    public void GradientOfDotIsTheOtherVector()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 });
        var y = tensor(new[] { -4.0, 0.5, 7.0 });
        var g = TrainingDiagnostics.Autodiff.Grad(v => v[0].dot(v[1]), new[] { x, y });
        Assert.AreEqual(2, g.Length);
        TensorAssert.AreClose(y, g[0], 0, 0);
        TensorAssert.AreClose(x, g[1], 0, 0);
    }

    [TestMethod]
    public void GradientOfDotWithItselfIsTwiceTheVector()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2.0, 3.5 });
        var g = TrainingDiagnostics.Autodiff.Grad(v => v.dot(v), x);
        TensorAssert.AreClose(2 * x, g, 0, 0);
    }

    [TestMethod]
    public void OnesLikeXAsGradOutputOfAScalarIsRejectedWithTheExplanation()
    {
        using var scope = NewDisposeScope();
        var x = linspace(0, 1, 100, dtype: ScalarType.Float64);
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            TrainingDiagnostics.Autodiff.Vjp(v => v.dot(v), x, ones_like(x)));
        StringAssert.Contains(e.Message, "[100]");
        StringAssert.Contains(e.Message, "[]");
        StringAssert.Contains(e.Message, "output space");
        StringAssert.Contains(e.Message, "Grad(f, x)");
        Assert.AreEqual("v", e.ParamName);
    }
}
