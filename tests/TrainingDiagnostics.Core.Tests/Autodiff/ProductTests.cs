using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

/// <summary>Vector-Jacobian and Jacobian-vector products against J computed by hand and by finite differences.</summary>
[TestClass]
public sealed class ProductTests
{
    private static Tensor A() => tensor(new[] { 1.0, 2.0, 0.0, -1.0, 3.0, 0.5 }).reshape(2, 3);

    private static Tensor Nonlinear(Tensor x) => (A().matmul(x)).tanh() * x.sum();

    [TestMethod]
    public void VjpOfAMatrixProductIsVTransposeA()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.1, 0.2, 0.3 });
        var v = tensor(new[] { 2.0, -1.0 });
        var (value, vjp) = AD.Vjp(z => A().matmul(z), x, v);
        TensorAssert.AreClose(A().matmul(x), value, 0, 0);
        TensorAssert.AreClose(v.matmul(A()), vjp, 1e-15, 1e-15);
    }

    [TestMethod]
    public void JvpOfAMatrixProductIsAV()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.1, 0.2, 0.3 });
        var v = tensor(new[] { 1.0, 0.0, -2.0 });
        var (value, jvp) = AD.Jvp(z => A().matmul(z), x, v);
        TensorAssert.AreClose(A().matmul(x), value, 0, 0);
        TensorAssert.AreClose(A().matmul(v), jvp, 1e-15, 1e-15);
    }

    [TestMethod]
    public void VjpAndJvpOfANonlinearMapMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.4, -0.7, 1.3 });
        var u = tensor(new[] { 0.3, 1.7 });
        var v = tensor(new[] { -1.0, 0.5, 2.0 });
        var j = FiniteDifferences.Jacobian(Nonlinear, x);
        TensorAssert.AreClose(u.matmul(j), AD.Vjp(Nonlinear, x, u).Vjp, rtol: 1e-7, atol: 1e-8);
        TensorAssert.AreClose(j.matmul(v), AD.Jvp(Nonlinear, x, v).Jvp, rtol: 1e-7, atol: 1e-8);
    }

    [TestMethod]
    public void MultiInputJvpIsTheSumOfPartialJvps()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 0.2, 0.9 });
        var b = tensor(new[] { -0.5, 1.5 });
        var da = tensor(new[] { 1.0, 2.0 });
        var db = tensor(new[] { 0.5, -1.0 });
        Tensor F(Tensor[] z) => z[0].sin() * z[1] + z[1].exp();
        var (_, jvp) = AD.Jvp(F, new[] { a, b }, new[] { da, db });
        var ja = FiniteDifferences.Jacobian(z => F(new[] { z, b }), a);
        var jb = FiniteDifferences.Jacobian(z => F(new[] { a, z }), b);
        TensorAssert.AreClose(ja.matmul(da) + jb.matmul(db), jvp, rtol: 1e-7, atol: 1e-8);
    }

    [TestMethod]
    public void MultiInputVjpGivesOneProductPerInput()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 0.2, 0.9 });
        var b = tensor(new[] { -0.5, 1.5 });
        var u = tensor(new[] { 3.0, -2.0 });
        var (_, vjp) = AD.Vjp(z => z[0] * z[1], new[] { a, b }, u);
        TensorAssert.AreClose(u * b, vjp[0], 0, 0);
        TensorAssert.AreClose(u * a, vjp[1], 0, 0);
    }

    [TestMethod]
    public void JvpRejectsAnOutputShapedTangentAndExplainsInputSpace()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.1, 0.2, 0.3 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Jvp(z => A().matmul(z), x, ones(2, dtype: ScalarType.Float64)));
        StringAssert.Contains(e.Message, "input space");
        StringAssert.Contains(e.Message, "[3]");
        StringAssert.Contains(e.Message, "Vjp");
    }

    [TestMethod]
    public void VjpRejectsAnInputShapedCotangentOfAVectorFunction()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.1, 0.2, 0.3 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Vjp(z => A().matmul(z), x, ones_like(x)));
        StringAssert.Contains(e.Message, "[2]");
        StringAssert.Contains(e.Message, "output space");
        StringAssert.Contains(e.Message, "Jvp");
    }

    [TestMethod]
    public void VjpConvertsACotangentOfAnotherDtype()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, 2f });
        var (_, vjp) = AD.Vjp(z => z * 3, x, tensor(new[] { 1.0, -1.0 }));
        Assert.AreEqual(ScalarType.Float32, vjp.dtype);
        TensorAssert.AreClose(tensor(new[] { 3.0, -3.0 }), vjp, 0, 0);
    }
}
