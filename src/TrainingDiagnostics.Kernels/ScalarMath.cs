namespace TrainingDiagnostics.Kernels;

/// <summary>
/// Scalar functions the BCL lacks (erf) or computes unsafely for large arguments (the sigmoid and
/// softplus overflow when written naively). Kernel-safe: loops and Math calls only.
/// </summary>
internal static class ScalarMath
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>1 / (1 + e^(−x)) without overflow: e^(−|x|) never exceeds 1.</summary>
    public static double Sigmoid(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return x >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log(1 + e^(−|x|)), without overflow.</summary>
    public static double Softplus(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return Math.Max(x, 0) + Log1P(e);
    }

    /// <summary>
    /// log(1 + x) to a few ulps for small x (Goldberg's correction: the rounding of 1 + x is divided out);
    /// there is no log1p that compiles in kernels.
    /// </summary>
    public static double Log1P(double x)
    {
        double w = 1 + x;
        double d = w - 1;
        return d == 0 ? x : Math.Log(w) * (x / d);
    }

    /// <summary>
    /// The error function to about 1e-15 relative: below |x| = 2.5 the series
    /// erf x = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms are all positive (no cancellation);
    /// above it 1 − erfc x with erfc from its continued fraction (Abramowitz and Stegun 7.1.14), evaluated
    /// bottom-up with a fixed depth; from 6 on erf is 1 to double precision.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double ax = Math.Abs(x);
        double r;
        if (ax < 2.5)
        {
            double x2 = ax * ax;
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum)
                {
                    break;
                }
            }

            r = TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        else if (ax < 6)
        {
            // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
            double f = ax;
            for (int k = 120; k >= 1; k--)
            {
                f = ax + 0.5 * k / f;
            }

            r = 1 - OneOverSqrtPi * Math.Exp(-ax * ax) / f;
        }
        else
        {
            r = 1;
        }

        return x < 0 ? -r : r;
    }
}
