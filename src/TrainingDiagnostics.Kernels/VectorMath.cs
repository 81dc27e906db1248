using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// exp, sin and cos on whole <see cref="Vector{T}"/>s of doubles, for <see cref="JetLanes"/>: .NET 10's
/// Vector sin/cos/exp for double run lane by lane at scalar speed (measured), which left the elementary
/// function values as the cost that SIMD could not touch. Accurate to about 1 ulp (tests compare with
/// <see cref="Math"/>); arguments outside the reduced ranges (|x| &gt; 2^16 for sin/cos, exp near overflow or
/// underflow, NaN, ±∞) go lane by lane through <see cref="Math"/>, so every input is handled.
/// </summary>
internal static unsafe class VectorMath
{
    // exp: x = k·ln2 + r with ln2 split in a part exact in products with k and a tail (Cody and Waite).
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double ExpLimit = 708.0;

    // sin/cos: x = n·π/2 + r, π/2 in three parts (fdlibm's pio2_1, pio2_2, pio2_3): n·part is exact for |n| < 2^20.
    private const double TwoOverPi = 6.36619772367581382433e-01;
    private const double PiOver2Part1 = 1.57079632673412561417e+00;
    private const double PiOver2Part2 = 6.07710050630396597660e-11;
    private const double PiOver2Part3 = 2.02226624871116645580e-21;
    private const double TrigLimit = 65536;

    /// <summary>e^x per lane.</summary>
    public static Vector<double> Exp(Vector<double> x)
    {
        if (!Vector.LessThanAll(Vector.Abs(x), new Vector<double>(ExpLimit)))
        {
            return Lanewise(x, &Math.Exp);
        }

        var k = Vector.Round(x * Log2E);
        var r = x - k * Ln2Hi - k * Ln2Lo;
        // Taylor to degree 13 on |r| ≤ ln2/2: the remainder is below 5e-18 relative.
        var p = new Vector<double>(1.0 / 6227020800.0);
        p = p * r + new Vector<double>(1.0 / 479001600.0);
        p = p * r + new Vector<double>(1.0 / 39916800.0);
        p = p * r + new Vector<double>(1.0 / 3628800.0);
        p = p * r + new Vector<double>(1.0 / 362880.0);
        p = p * r + new Vector<double>(1.0 / 40320.0);
        p = p * r + new Vector<double>(1.0 / 5040.0);
        p = p * r + new Vector<double>(1.0 / 720.0);
        p = p * r + new Vector<double>(1.0 / 120.0);
        p = p * r + new Vector<double>(1.0 / 24.0);
        p = p * r + new Vector<double>(1.0 / 6.0);
        p = p * r + new Vector<double>(0.5);
        p = p * r + Vector<double>.One;
        p = p * r + Vector<double>.One;
        // 2^k from its exponent bits (|k| ≤ 1022 here, so the result is a normal double).
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(Vector.ConvertToInt64(k) + new Vector<long>(1023), 52));
        return p * scale;
    }

    /// <summary>sin x and cos x per lane, from one argument reduction.</summary>
    public static void SinCos(Vector<double> x, out Vector<double> sin, out Vector<double> cos)
    {
        if (!Vector.LessThanAll(Vector.Abs(x), new Vector<double>(TrigLimit)))
        {
            sin = Lanewise(x, &Math.Sin);
            cos = Lanewise(x, &Math.Cos);
            return;
        }

        var n = Vector.Round(x * TwoOverPi);
        var r = x - n * PiOver2Part1 - n * PiOver2Part2 - n * PiOver2Part3;
        var z = r * r;

        // fdlibm's __kernel_sin and __kernel_cos minimax polynomials on |r| ≤ π/4.
        var s = new Vector<double>(1.58969099521155010221e-10);
        s = s * z + new Vector<double>(-2.50507602534068634195e-08);
        s = s * z + new Vector<double>(2.75573137070700676789e-06);
        s = s * z + new Vector<double>(-1.98412698298579493134e-04);
        s = s * z + new Vector<double>(8.33333333332248946124e-03);
        var sinR = r + z * r * (new Vector<double>(-1.66666666666666324348e-01) + z * s);

        var c = new Vector<double>(-1.13596475577881948265e-11);
        c = c * z + new Vector<double>(2.08757232129817482790e-09);
        c = c * z + new Vector<double>(-2.75573143513906633035e-07);
        c = c * z + new Vector<double>(2.48015872894767294178e-05);
        c = c * z + new Vector<double>(-1.38888888888741095749e-03);
        c = c * z + new Vector<double>(4.16666666666666019037e-02);
        var halfZ = 0.5 * z;
        var w = Vector<double>.One - halfZ;
        var cosR = w + ((Vector<double>.One - w - halfZ) + z * z * c);

        // Quadrant n mod 4: odd n swaps sin and cos; the sign bits follow n and n + 1.
        var q = Vector.ConvertToInt64(n);
        var odd = Vector.Equals(q & Vector<long>.One, Vector<long>.One);
        var negateSin = Vector.Equals(q & new Vector<long>(2), new Vector<long>(2));
        var negateCos = Vector.Equals((q + Vector<long>.One) & new Vector<long>(2), new Vector<long>(2));
        var sinX = Vector.ConditionalSelect(odd, cosR, sinR);
        var cosX = Vector.ConditionalSelect(odd, sinR, cosR);
        sin = Vector.ConditionalSelect(negateSin, -sinX, sinX);
        cos = Vector.ConditionalSelect(negateCos, -cosX, cosX);
    }

    [SkipLocalsInit]
    private static unsafe Vector<double> Lanewise(Vector<double> x, delegate*<double, double> f)
    {
        Span<double> lanes = stackalloc double[Vector<double>.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = f(x[l]);
        }

        return new Vector<double>(lanes);
    }
}
