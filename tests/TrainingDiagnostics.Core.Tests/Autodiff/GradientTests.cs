using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

[TestClass]
public sealed class GradientTests
{
    /// <summary>Rosenbrock in n dimensions: Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)².</summary>
    internal static Tensor Rosenbrock(Tensor x)
    {
        var head = x[..^1];
        var tail = x[1..];
        return (100 * (tail - head * head).pow(2) + (1 - head).pow(2)).sum();
    }

    internal static double[] RosenbrockGradient(double[] x)
    {
        int n = x.Length;
        var g = new double[n];
        for (int i = 0; i < n - 1; i++)
        {
            g[i] += -400 * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
            g[i + 1] += 200 * (x[i + 1] - x[i] * x[i]);
        }
        return g;
    }

    internal static double[,] RosenbrockHessian(double[] x)
    {
        int n = x.Length;
        var h = new double[n, n];
        for (int i = 0; i < n - 1; i++)
        {
            h[i, i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
            h[i, i + 1] += -400 * x[i];
            h[i + 1, i] += -400 * x[i];
            h[i + 1, i + 1] += 200;
        }
        return h;
    }

    private static readonly double[] Point = { -1.2, 1.0, 0.7, -0.3, 2.1 };

    [TestMethod]
    public void RosenbrockGradientMatchesAnalyticAndFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var x = tensor(Point);
        var g = AD.Grad(Rosenbrock, x);
        TensorAssert.AreClose(tensor(RosenbrockGradient(Point)), g, rtol: 1e-13, atol: 1e-12);
        TensorAssert.AreClose(FiniteDifferences.Gradient(Rosenbrock, x), g, rtol: 1e-7, atol: 1e-6);
    }

    [TestMethod]
    public void ValueAndGradReturnsTheValueToo()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 1.0, 1.0 });
        var (value, gradient) = AD.ValueAndGrad(Rosenbrock, x);
        Assert.AreEqual(0.0, value.ToDouble());
        TensorAssert.IsZero(gradient, "the minimum of Rosenbrock is at ones");
    }

    [TestMethod]
    public void GradientOfAMatrixInputHasTheMatrixShape()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }).reshape(2, 3);
        // f(A) = Σ sin(A_ij) A_ij² ; ∂f/∂A_ij = cos(A_ij) A_ij² + 2 sin(A_ij) A_ij
        var g = AD.Grad(m => (m.sin() * m * m).sum(), a);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, g.shape);
        TensorAssert.AreClose(a.cos() * a * a + 2 * a.sin() * a, g, rtol: 1e-14, atol: 1e-14);
    }

    [TestMethod]
    public void GradientInFloat32StaysFloat32()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 0.5f, -1.5f, 2f });
        var g = AD.Grad(v => (v * v * v).sum(), x);
        Assert.AreEqual(ScalarType.Float32, g.dtype);
        TensorAssert.AreClose(3 * x.to(ScalarType.Float64).pow(2), g, rtol: 1e-6, atol: 1e-6);
    }

    [TestMethod]
    public void MultiInputValueAndGradMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 0.3, -0.8 });
        var b = tensor(new[] { 1.1, 0.4 });
        Tensor F(Tensor[] v) => (v[0].exp() * v[1]).sum() + v[0].dot(v[1]).pow(2);
        var (value, grads) = AD.ValueAndGrad(F, new[] { a, b });
        Assert.AreEqual(F(new[] { a, b }).ToDouble(), value.ToDouble(), 1e-15);
        TensorAssert.AreClose(FiniteDifferences.Gradient(x => F(new[] { x, b }), a), grads[0], rtol: 1e-7, atol: 1e-8);
        TensorAssert.AreClose(FiniteDifferences.Gradient(x => F(new[] { a, x }), b), grads[1], rtol: 1e-7, atol: 1e-8);
    }

    [TestMethod]
    public void ConstantFunctionHasZeroGradient()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 });
        TensorAssert.IsZero(AD.Grad(_ => tensor(3.0), x));
        TensorAssert.IsZero(AD.Grad(v => v.detach().sum(), x));
    }

    [TestMethod]
    public void UnusedInputGetsZerosInsteadOfAbortingTheProcess()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 });
        var unused = tensor(new[] { 5.0, 6.0, 7.0 });
        var g = AD.Grad(v => v[0].pow(2).sum(), new[] { x, unused });
        TensorAssert.AreClose(2 * x, g[0], 0, 0);
        TensorAssert.IsZero(g[1]);
        CollectionAssert.AreEqual(new long[] { 3 }, g[1].shape);
    }

    [TestMethod]
    public void VectorValuedFunctionIsRejectedWithItsShapeAndTheAlternatives()
    {
        using var scope = NewDisposeScope();
        var x = ones(4, 2, dtype: ScalarType.Float64);
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(v => v.sin(), x));
        StringAssert.Contains(e.Message, "[4, 2]");
        StringAssert.Contains(e.Message, "Vjp");
        StringAssert.Contains(e.Message, "Jacobian");
    }

    [TestMethod]
    public void GradientWorksInsideNoGrad()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(new[] { 1.0, 2.0 });
        TensorAssert.AreClose(2 * x, AD.Grad(v => v.pow(2).sum(), x), 0, 0);
    }
}
