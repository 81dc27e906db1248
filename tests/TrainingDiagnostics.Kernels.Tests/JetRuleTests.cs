using TrainingDiagnostics.Kernels;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>Every Jet rule against closed forms at orders 0..8 (float64), plus finite differences at orders 1-2.</summary>
[TestClass]
public sealed class JetRuleTests
{
    private const int K = Jet.MaxOrder;
    private static readonly double[] Points = [-2.2, -0.9, -0.25, 0.3, 1.1, 2.6];
    private static readonly double[] PositivePoints = [0.15, 0.6, 1.0, 2.5, 7.0];

    // 1e-12 relative (to max(1, |value|)); the Riccati-type laws (tanh, sigmoid, softplus) get 1e-10 because their
    // 8th derivatives are small differences of large terms, in the oracle's polynomials as in the recurrence.
    private static void Check<TFunction>(double[] points, Func<double, int, double> closedForm, double relative = 1e-12)
        where TFunction : struct, IUnaryFunction
    {
        foreach (double x in points)
        {
            var d = JetDerivatives<TFunction>(x, K);
            for (int k = 0; k <= K; k++)
            {
                AssertClose(closedForm(x, k), d[k], relative, $"{typeof(TFunction).Name} order {k} at x = {x}");
            }
        }
    }

    [TestMethod]
    public void SinMatchesShiftedSine() => Check<SinF>(Points, (x, k) => Math.Sin(x + k * Math.PI / 2));

    [TestMethod]
    public void CosMatchesShiftedCosine() => Check<CosF>(Points, (x, k) => Math.Cos(x + k * Math.PI / 2));

    [TestMethod]
    public void ExpOfScaledArgumentMatchesPowersOfTheScale()
        => Check<ExpAxF>(Points, (x, k) => Math.Pow(ExpAxF.A, k) * Math.Exp(ExpAxF.A * x));

    [TestMethod]
    public void LogMatchesFactorialOverPower()
        => Check<LogF>(PositivePoints, (x, k) => k == 0 ? Math.Log(x) : Math.Pow(-1, k - 1) * Factorial(k - 1) / Math.Pow(x, k));

    [TestMethod]
    public void PowerOfOnePlusXMatchesFallingFactorials()
    {
        static double Falling(double p, int k)
        {
            double f = 1;
            for (int i = 0; i < k; i++)
            {
                f *= p - i;
            }

            return f;
        }

        double[] points = [-0.6, -0.2, 0.4, 1.5, 3.0];
        Check<OnePlusXPow25F>(points, (x, k) => Falling(2.5, k) * Math.Pow(1 + x, 2.5 - k));
        Check<OnePlusXPowMinus13F>(points, (x, k) => Falling(-1.3, k) * Math.Pow(1 + x, -1.3 - k));
        Check<SqrtF>(PositivePoints, (x, k) => Falling(0.5, k) * Math.Pow(x, 0.5 - k));
        Check<ReciprocalF>(points, (x, k) => Math.Pow(-1, k) * Factorial(k) / Math.Pow(1 + x, k + 1));
    }

    [TestMethod]
    public void TanhMatchesItsPolynomialRecurrence()
        => Check<TanhF>(Points, (x, k) => PolynomialLaw(Math.Tanh(x), [1, 0, -1], K)[k], 1e-10);

    [TestMethod]
    public void TanMatchesItsPolynomialRecurrence()
        => Check<TanF>([-1.2, -0.4, 0.1, 0.7, 1.3], (x, k) => PolynomialLaw(Math.Tan(x), [1, 0, 1], K)[k], 1e-11);

    [TestMethod]
    public void SigmoidMatchesItsPolynomialRecurrence()
        => Check<SigmoidF>(Points, (x, k) => PolynomialLaw(1 / (1 + Math.Exp(-x)), [0, 1, -1], K)[k], 1e-10);

    [TestMethod]
    public void SoftplusIsLogOnePlusExpWithSigmoidDerivatives()
        => Check<SoftplusF>(Points, (x, k) => k == 0
            ? Math.Log(1 + Math.Exp(x))
            : PolynomialLaw(1 / (1 + Math.Exp(-x)), [0, 1, -1], K)[k - 1], 1e-10);

    [TestMethod]
    public void ErfDerivativesAreHermiteTimesGaussian()
    {
        // Reference values of erf from tables (Abramowitz and Stegun 7.1, 15+ digits).
        (double X, double Erf)[] table =
        [
            (0.1, 0.1124629160182849), (0.5, 0.5204998778130465), (1.0, 0.8427007929497149),
            (2.0, 0.9953222650189527), (2.5, 0.9995930479825550), (3.0, 0.9999779095030014), (4.0, 0.9999999845827421),
        ];
        foreach (var (x, erf) in table)
        {
            AssertClose(erf, Jet.Erf(Jet.Constant(x, 0)).Value, 1e-15, $"erf({x})");
            AssertClose(-erf, Jet.Erf(Jet.Constant(-x, 0)).Value, 1e-15, $"erf({-x})");
        }

        Check<ErfF>(Points, (x, k) => k == 0
            ? Jet.Erf(Jet.Constant(x, 0)).Value
            : 2 / Math.Sqrt(Math.PI) * Math.Pow(-1, k - 1) * Hermite(k - 1, x) * Math.Exp(-x * x));
    }

    [TestMethod]
    public void AtanDerivativesMatchTheRationalRecurrence()
        => Check<AtanF>(Points, (x, k) => k == 0 ? Math.Atan(x) : InverseOnePlusSquareDerivative(k - 1, x));

    [TestMethod]
    public void AbsAwayFromZeroIsSignTimesIdentity()
        => Check<AbsF>(Points, (x, k) => k == 0 ? Math.Abs(x) : k == 1 ? Math.Sign(x) : 0);

    [TestMethod]
    public void PowerOfConstantBaseMatchesLogPowers()
        => Check<ThreeToXF>(Points, (x, k) => Math.Pow(Math.Log(3), k) * Math.Pow(3, x));

    [TestMethod]
    public void ProductMatchesLeibniz()
    {
        foreach (double x in Points)
        {
            var sin = Enumerable.Range(0, K + 1).Select(k => Math.Sin(x + k * Math.PI / 2)).ToArray();
            var exp = Enumerable.Repeat(Math.Exp(x), K + 1).ToArray();
            var d = JetDerivatives<SinTimesExpF>(x, K);
            for (int n = 0; n <= K; n++)
            {
                AssertClose(Leibniz(sin, exp, n), d[n], 1e-12, $"(sin·exp)^({n}) at {x}");
            }
        }
    }

    [TestMethod]
    public void CompositionMatchesFaaDiBruno()
    {
        foreach (double x in Points)
        {
            // exp(sin x): outer exp, all of whose derivatives at sin x are e^(sin x).
            var outer = Enumerable.Repeat(Math.Exp(Math.Sin(x)), K + 1).ToArray();
            var inner = Enumerable.Range(0, K + 1).Select(k => Math.Sin(x + k * Math.PI / 2)).ToArray();
            var d = JetDerivatives<ExpOfSinF>(x, K);
            for (int n = 0; n <= K; n++)
            {
                AssertClose(FaaDiBruno(outer, inner, n), d[n], 1e-12, $"exp(sin x)^({n}) at {x}");
            }
        }

        foreach (double x in PositivePoints)
        {
            // x^x = exp(g) with g = x·log x: g' = log x + 1, g^(k) = (−1)^k·(k−2)!/x^(k−1) for k ≥ 2.
            var g = new double[K + 1];
            g[0] = x * Math.Log(x);
            g[1] = Math.Log(x) + 1;
            for (int k = 2; k <= K; k++)
            {
                g[k] = Math.Pow(-1, k) * Factorial(k - 2) / Math.Pow(x, k - 1);
            }

            var outer = Enumerable.Repeat(Math.Pow(x, x), K + 1).ToArray();
            var d = JetDerivatives<XToXF>(x, K);
            for (int n = 0; n <= K; n++)
            {
                AssertClose(FaaDiBruno(outer, g, n), d[n], 1e-11, $"(x^x)^({n}) at {x}");
            }
        }
    }

    [TestMethod]
    public void FirstAndSecondOrdersMatchFiniteDifferences()
    {
        Check(default(SinF)); Check(default(CosF)); Check(default(ExpAxF)); Check(default(TanhF));
        Check(default(SigmoidF)); Check(default(SoftplusF)); Check(default(ErfF)); Check(default(AtanF));
        Check(default(OnePlusXPow25F)); Check(default(ReciprocalF)); Check(default(ThreeToXF));
        Check(default(ExpSinTimesSquareF)); Check(default(EveryRuleF));
        CheckAt<LogF>(PositivePoints); CheckAt<SqrtF>(PositivePoints); CheckAt<XToXF>(PositivePoints);
        CheckAt<TanF>([-1.2, -0.4, 0.1, 0.7, 1.3]);

        static void Check<TFunction>(TFunction _) where TFunction : struct, IUnaryFunction
            => CheckAt<TFunction>([-1.6, -0.45, 0.35, 0.8]);

        static void CheckAt<TFunction>(double[] points) where TFunction : struct, IUnaryFunction
        {
            foreach (double x in points)
            {
                var d = JetDerivatives<TFunction>(x, 2);
                var (first, second) = FiniteDifferences(Evaluate<TFunction>, x);
                string name = typeof(TFunction).Name;
                AssertClose(first, d[1], 1e-7, $"{name}' at {x} vs central difference");
                AssertClose(second, d[2], 1e-5, $"{name}'' at {x} vs central difference");
            }
        }
    }

    [TestMethod]
    public void PolynomialsAreExact()
    {
        // 3x⁴ − 2x³ + x − 5: derivatives 12x³ − 6x² + 1, 36x² − 12x, 72x − 12, 72, then 0.
        foreach (double x in new[] { -3.0, -1.0, 0.0, 2.0, 5.0, 0.5 })
        {
            double[] expected =
            [
                3 * Math.Pow(x, 4) - 2 * Math.Pow(x, 3) + x - 5, 12 * x * x * x - 6 * x * x + 1,
                36 * x * x - 12 * x, 72 * x - 12, 72, 0, 0, 0, 0,
            ];
            CollectionAssert.AreEqual(expected, JetDerivatives<QuarticF>(x, K), $"quartic at {x}");
        }
    }

    [TestMethod]
    public void IntegerPowersAreSmoothAtZero()
    {
        CollectionAssert.AreEqual(new double[] { 0, 0, 2, 0, 0, 0, 0, 0, 0 }, JetDerivatives<SquareF>(0, K));
        var cube = Jet.Pow(Jet.Variable(0, K), 3);
        Assert.AreEqual(6, cube.Derivative(3));
        Assert.AreEqual(0, cube.Derivative(1));
        Assert.AreEqual(1, Jet.Pow(Jet.Variable(0, 3), 0).Value, "0^0 = 1, as Math.Pow");
        var inverse = Jet.Pow(Jet.Variable(0, 2), -1);
        Assert.IsTrue(double.IsInfinity(inverse.Value), $"x^-1 at 0 has a pole, got {inverse}");
    }

    [TestMethod]
    public void LogOfNonPositiveGivesNaNCoefficients()
    {
        var negative = Jet.Log(Jet.Variable(-1, 4));
        for (int k = 0; k <= 4; k++)
        {
            Assert.IsTrue(double.IsNaN(negative[k]), $"log at −1, coefficient {k}: {negative}");
        }

        var zero = Jet.Log(Jet.Variable(0, 4));
        Assert.AreEqual(double.NegativeInfinity, zero.Value);
        for (int k = 1; k <= 4; k++)
        {
            Assert.IsTrue(double.IsNaN(zero[k]), $"log at 0, coefficient {k}: {zero}");
        }
    }

    [TestMethod]
    public void SqrtAndRealPowersAtZeroGiveOneSidedLimits()
    {
        var sqrt = Jet.Sqrt(Jet.Variable(0, 4));
        Assert.AreEqual(0, sqrt.Value);
        Assert.AreEqual(double.PositiveInfinity, sqrt[1], "sqrt'(0⁺) = +∞");
        Assert.AreEqual(double.NegativeInfinity, sqrt[2], "sqrt''(0⁺) = −∞");
        Assert.AreEqual(double.PositiveInfinity, sqrt[3]);

        var zero = Jet.Sqrt(Jet.Constant(0, 3));
        CollectionAssert.AreEqual(new double[] { 0, 0, 0, 0 }, zero.ToArray(), "sqrt of the constant 0 is the constant 0");

        var pow = Jet.Pow(Jet.Variable(0, 4), 2.5);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, double.PositiveInfinity, double.NegativeInfinity }, pow.ToArray(),
            "x^2.5 at 0⁺: 0 below order 2.5, then 2.5·1.5·0.5 > 0 and 2.5·1.5·0.5·(−0.5) < 0");

        var negative = Jet.Sqrt(Jet.Variable(-1, 2));
        Assert.IsTrue(negative.ToArray().All(double.IsNaN), $"sqrt at −1: {negative}");
    }

    [TestMethod]
    public void SigmoidAndSoftplusDoNotOverflow()
    {
        foreach (double x in new[] { -800.0, 800.0 })
        {
            var s = Jet.Sigmoid(Jet.Variable(x, 4));
            var p = Jet.Softplus(Jet.Variable(x, 4));
            Assert.IsTrue(s.ToArray().All(double.IsFinite), $"sigmoid at {x}: {s}");
            Assert.IsTrue(p.ToArray().All(double.IsFinite), $"softplus at {x}: {p}");
        }

        Assert.AreEqual(800, Jet.Softplus(Jet.Variable(800, 1)).Value);
        Assert.AreEqual(1, Jet.Softplus(Jet.Variable(800, 1))[1]);
        AssertClose(1, Jet.Softplus(Jet.Constant(-40, 0)).Value / Math.Exp(-40), 1e-14, "softplus(−40)/e^−40");
    }

    [TestMethod]
    public void AbsAtZeroFollowsTheLeadingCoefficient()
    {
        CollectionAssert.AreEqual(new double[] { 0, 1, 0 }, Jet.Abs(Jet.Variable(0, 2)).ToArray());
        CollectionAssert.AreEqual(new double[] { 0, 1, 0 }, Jet.Abs(-Jet.Variable(0, 2)).ToArray());
        var square = Jet.Variable(0, 3) * Jet.Variable(0, 3);
        CollectionAssert.AreEqual(square.ToArray(), Jet.Abs(-square).ToArray(), "|−x²| = x²");
    }

    [TestMethod]
    public void CoefficientsAreTaylorCoefficientsAndDerivativesAreScaled()
    {
        var e = Jet.Exp(Jet.Variable(0, 5));
        for (int k = 0; k <= 5; k++)
        {
            AssertClose(1 / Factorial(k), e[k], 1e-15, $"exp coefficient {k} = 1/{k}!");
            AssertClose(1, e.Derivative(k), 1e-15, $"exp derivative {k}");
        }

        Assert.IsTrue(double.IsNaN(e[6]), "beyond the order: unknown");
        Assert.IsTrue(double.IsNaN(e[-1]));
    }

    [TestMethod]
    public void MixedOrdersTruncateToTheSmaller()
    {
        var sum = Jet.Variable(1, 5) + Jet.Variable(2, 3);
        Assert.AreEqual(3, sum.Order);
        var product = Jet.Variable(1, 2) * Jet.Constant(2, 6);
        Assert.AreEqual(2, product.Order);
        Assert.AreEqual(8, Jet.Variable(0, 99).Order, "orders above MaxOrder clamp");
    }

    [TestMethod]
    public void FromCoefficientsRejectsBadLengthsWithAClearMessage()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Jet.FromCoefficients(new double[10]));
        StringAssert.Contains(e.Message, "1 to 9 coefficients");
        StringAssert.Contains(e.Message, "10 came");
        var jet = Jet.FromCoefficients([1, 2, 3]);
        Assert.AreEqual(2, jet.Order);
        Assert.AreEqual(6, jet.Derivative(2));
    }

    [TestMethod]
    public void DivisionInvertsMultiplication()
    {
        var a = Jet.FromCoefficients([1.5, -0.5, 2, 0.25, 3, -1, 0.5, 2, 1]);
        var b = Jet.FromCoefficients([2, 1, -3, 0.5, 0.125, 4, -2, 1, 0.75]);
        var back = a * b / b;
        for (int k = 0; k <= K; k++)
        {
            AssertClose(a[k], back[k], 1e-12, $"(a·b)/b coefficient {k}");
        }
    }
}
