using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>Independent derivative oracles: closed forms, Leibniz, Faà di Bruno, finite differences.</summary>
internal static class Oracles
{
    public static double Factorial(int k)
    {
        double f = 1;
        for (int i = 2; i <= k; i++)
        {
            f *= i;
        }

        return f;
    }

    public static double Binomial(int n, int k) => Factorial(n) / (Factorial(k) * Factorial(n - k));

    /// <summary>Derivatives 0..maxOrder of f at x, by pushing a variable jet (the code under test).</summary>
    public static double[] JetDerivatives<TFunction>(double x, int maxOrder)
        where TFunction : struct, IUnaryFunction
    {
        var y = default(TFunction).Invoke(Jet.Variable(x, maxOrder));
        var d = new double[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++)
        {
            d[k] = y.Derivative(k);
        }

        return d;
    }

    /// <summary>The plain function value, by an order-0 jet.</summary>
    public static double Evaluate<TFunction>(double x)
        where TFunction : struct, IUnaryFunction
        => default(TFunction).Invoke(Jet.Constant(x, 0)).Value;

    /// <summary>
    /// Derivatives of a function known through its derivative as a polynomial law: if y' = q(y) with q a
    /// polynomial, then y^(k) = P_k(y) with P_1 = q and P_(k+1) = P_k'·q. Coefficients lowest degree first.
    /// </summary>
    public static double[] PolynomialLaw(double y, double[] q, int maxOrder)
    {
        var result = new double[maxOrder + 1];
        result[0] = y;
        var p = (double[])q.Clone();
        for (int k = 1; k <= maxOrder; k++)
        {
            result[k] = Horner(p, y);
            p = Multiply(Differentiate(p), q);
        }

        return result;
    }

    /// <summary>The physicists' Hermite polynomial H_n(x): H_0 = 1, H_1 = 2x, H_(n+1) = 2x·H_n − 2n·H_(n−1).</summary>
    public static double Hermite(int n, double x)
    {
        double previous = 1, current = 2 * x;
        if (n == 0)
        {
            return previous;
        }

        for (int i = 1; i < n; i++)
        {
            (previous, current) = (current, 2 * x * current - 2 * i * previous);
        }

        return current;
    }

    /// <summary>
    /// d^m/dx^m of 1/(1 + x²) = P_m(x)/(1 + x²)^(m+1), with P_0 = 1 and
    /// P_(m+1) = P_m'·(1 + x²) − 2(m+1)·x·P_m.
    /// </summary>
    public static double InverseOnePlusSquareDerivative(int m, double x)
    {
        double[] p = [1];
        for (int i = 0; i < m; i++)
        {
            var a = Multiply(Differentiate(p), [1, 0, 1]);
            var b = Multiply(p, [0, -2.0 * (i + 1)]);
            p = Add(a, b);
        }

        return Horner(p, x) / Math.Pow(1 + x * x, m + 1);
    }

    /// <summary>Leibniz: (fg)^(n) = Σ_j C(n, j)·f^(j)·g^(n−j).</summary>
    public static double Leibniz(double[] f, double[] g, int n)
    {
        double s = 0;
        for (int j = 0; j <= n; j++)
        {
            s += Binomial(n, j) * f[j] * g[n - j];
        }

        return s;
    }

    /// <summary>
    /// Faà di Bruno: (f∘g)^(n) = Σ_k f^(k)(g(x))·B_(n,k)(g', g'', …) with the partial Bell polynomials
    /// B_(n,k) = Σ_(i=1..n−k+1) C(n−1, i−1)·g^(i)·B_(n−i,k−1), B_(0,0) = 1.
    /// </summary>
    public static double FaaDiBruno(double[] outer, double[] inner, int n)
    {
        if (n == 0)
        {
            return outer[0];
        }

        var bell = new double[n + 1, n + 1];
        bell[0, 0] = 1;
        for (int m = 1; m <= n; m++)
        {
            for (int k = 1; k <= m; k++)
            {
                double s = 0;
                for (int i = 1; i <= m - k + 1; i++)
                {
                    s += Binomial(m - 1, i - 1) * inner[i] * bell[m - i, k - 1];
                }

                bell[m, k] = s;
            }
        }

        double total = 0;
        for (int k = 1; k <= n; k++)
        {
            total += outer[k] * bell[n, k];
        }

        return total;
    }

    /// <summary>Central differences for f' and f'' (errors O(h²)), from plain evaluations of f.</summary>
    public static (double First, double Second) FiniteDifferences(Func<double, double> f, double x)
    {
        double h1 = 1e-5 * Math.Max(1, Math.Abs(x));
        double h2 = 1e-4 * Math.Max(1, Math.Abs(x));
        double first = (f(x + h1) - f(x - h1)) / (2 * h1);
        double second = (f(x + h2) - 2 * f(x) + f(x - h2)) / (h2 * h2);
        return (first, second);
    }

    public static void AssertClose(double expected, double actual, double relative, string what)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.AreEqual(expected, actual, what);
            return;
        }

        double tolerance = relative * Math.Max(1, Math.Abs(expected));
        Assert.IsTrue(
            Math.Abs(expected - actual) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E2}, tolerance {tolerance:E2})");
    }

    private static double Horner(double[] p, double x)
    {
        double s = 0;
        for (int i = p.Length - 1; i >= 0; i--)
        {
            s = s * x + p[i];
        }

        return s;
    }

    private static double[] Differentiate(double[] p)
    {
        if (p.Length <= 1)
        {
            return [0];
        }

        var d = new double[p.Length - 1];
        for (int i = 1; i < p.Length; i++)
        {
            d[i - 1] = i * p[i];
        }

        return d;
    }

    private static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < b.Length; j++)
            {
                r[i + j] += a[i] * b[j];
            }
        }

        return r;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var r = new double[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < a.Length; i++)
        {
            r[i] += a[i];
        }

        for (int i = 0; i < b.Length; i++)
        {
            r[i] += b[i];
        }

        return r;
    }
}
