using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

[TestClass]
public sealed class ElementwiseDerivativeTests
{
    private static Tensor Points() => linspace(-2, 2, 41, dtype: ScalarType.Float64);

    private static double SinDerivative(double x, int k) => Math.Sin(x + k * Math.PI / 2);

    private static double TanhDerivative(double x, int k)
    {
        double t = Math.Tanh(x), s = 1 - t * t;
        return k switch
        {
            0 => t,
            1 => s,
            2 => -2 * t * s,
            3 => s * (6 * t * t - 2),
            4 => 8 * s * t * (2 - 3 * t * t),
            _ => throw new ArgumentOutOfRangeException(nameof(k)),
        };
    }

    private static void CheckAgainst(Func<Tensor, Tensor> f, Func<double, double, int, double> analytic, Func<double, double> scalar, int order, double rtol)
    {
        using var scope = NewDisposeScope();
        var x = Points();
        var d = AD.ElementwiseDerivative(f, x, order);
        var xs = TensorAssert.Values(x);
        var expected = tensor(xs.Select(v => analytic(v, 0, order)).ToArray());
        TensorAssert.AreClose(expected, d, rtol, 1e-12, $"order {order}");
        // Second, independent oracle: the central-difference stencil of that order on the scalar function.
        var stencil = tensor(xs.Select(v => FiniteDifferences.ScalarDerivative(scalar, v, order, order <= 2 ? 1e-4 : 1e-2)).ToArray());
        TensorAssert.AreClose(stencil, d, rtol: 2e-3, atol: 2e-3, $"order {order} against finite differences");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void SinDerivativesAreShiftedSines(int order) =>
        CheckAgainst(sin, (x, _, k) => SinDerivative(x, k), Math.Sin, order, 1e-13);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void ExpOfTwoXDerivativesArePowersOfTwoTimesExp(int order) =>
        CheckAgainst(x => (2 * x).exp(), (x, _, k) => Math.Pow(2, k) * Math.Exp(2 * x), x => Math.Exp(2 * x), order, 1e-13);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void TanhDerivativesFollowThePolynomialRecurrence(int order) =>
        CheckAgainst(tanh, (x, _, k) => TanhDerivative(x, k), Math.Tanh, order, 1e-12);

    [TestMethod]
    public void OrderZeroIsTheValue()
    {
        using var scope = NewDisposeScope();
        var x = Points();
        TensorAssert.AreClose(x.exp(), AD.ElementwiseDerivative(exp, x, 0), 0, 0);
    }

    [TestMethod]
    public void DerivativesBeyondAPolynomialsDegreeAreZero()
    {
        using var scope = NewDisposeScope();
        var x = Points();
        TensorAssert.AreClose(6 * x, AD.ElementwiseDerivative(z => z.pow(3), x, 2), 1e-14, 1e-14);
        TensorAssert.AreClose(full_like(x, 6.0), AD.ElementwiseDerivative(z => z * z * z, x, 3), 1e-14, 1e-14);
        TensorAssert.IsZero(AD.ElementwiseDerivative(z => z * z * z, x, 4));
        TensorAssert.IsZero(AD.ElementwiseDerivative(z => 3 * z + 1, x, 2));
    }

    [TestMethod]
    public void Float32IsSupported()
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 9, dtype: ScalarType.Float32);
        var d = AD.ElementwiseDerivative(sin, x, 2);
        Assert.AreEqual(ScalarType.Float32, d.dtype);
        TensorAssert.AreClose(-x.to(ScalarType.Float64).sin(), d, 1e-6, 1e-6);
    }

    [TestMethod]
    public void NegativeOrderIsRejected()
    {
        using var scope = NewDisposeScope();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AD.ElementwiseDerivative(sin, Points(), -1));
    }
}
