using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The rules of <see cref="JetRules"/> on <see cref="JetLanes"/>, one for one and in the same order of
/// operations. The Taylor recurrences run on whole vectors; exp, sin and cos values come from
/// <see cref="VectorMath"/> (about 1 ulp from <see cref="Math"/>'s), the other functions' values lane by
/// lane from the same scalar calls as <see cref="Jet"/>; lanes at domain edges send the whole vector to the
/// scalar rule (<see cref="LaneWise"/>), a rare path.
/// </summary>
[SkipLocalsInit] // the lane buffers are written before they are read; zeroing them cost as much as the math at order 1
internal static class JetLaneRules
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    private interface IScalar
    {
        double Of(double x);
    }

    private readonly struct TanOp : IScalar { public double Of(double x) => Math.Tan(x); }
    private readonly struct TanhOp : IScalar { public double Of(double x) => Math.Tanh(x); }
    private readonly struct LogOp : IScalar { public double Of(double x) => Math.Log(x); }
    private readonly struct AtanOp : IScalar { public double Of(double x) => Math.Atan(x); }
    private readonly struct SigmoidOp : IScalar { public double Of(double x) => ScalarMath.Sigmoid(x); }
    private readonly struct SoftplusOp : IScalar { public double Of(double x) => ScalarMath.Softplus(x); }
    private readonly struct ErfOp : IScalar { public double Of(double x) => ScalarMath.Erf(x); }

    /// <summary>A scalar function applied lane by lane (a struct operation, so the call inlines).</summary>
    private static Vector<double> Map<TOp>(Vector<double> x)
        where TOp : struct, IScalar
    {
        Span<double> lanes = stackalloc double[Vector<double>.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = default(TOp).Of(x[l]);
        }

        return new Vector<double>(lanes);
    }

    /// <summary>The scalar rule on every lane: exactly Jet's semantics, at scalar speed.</summary>
    private static JetLanes LaneWise(in JetLanes u, Func<Jet, Jet> rule)
    {
        var r = JetLanes.Uninitialized(u.Order);
        for (int l = 0; l < JetLanes.Count; l++)
        {
            r.SetLane(l, rule(u.Lane(l)));
        }

        return r;
    }

    private static bool AnyLaneIs(Vector<double> x, double value) => Vector.EqualsAny(x, new Vector<double>(value));

    private static Vector<double> ChainCoefficient(in JetLanes u, in JetLanes g, int k)
    {
        var s = Vector<double>.Zero;
        for (int j = 1; j <= k; j++)
        {
            s += new Vector<double>(j) * u.At(j) * g.At(k - j);
        }

        return s / k;
    }

    private static JetLanes Integrate(in JetLanes u, in JetLanes g, Vector<double> value)
    {
        int order = Math.Min(u.Order, g.Order);
        var y = JetLanes.Uninitialized(order);
        y.Set(0, value);
        for (int k = 1; k <= order; k++)
        {
            y.Set(k, ChainCoefficient(u, g, k));
        }

        return y;
    }

    public static JetLanes Exp(JetLanes u)
    {
        var y = JetLanes.Uninitialized(u.Order);
        y.Set(0, VectorMath.Exp(u.At(0)));
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(u, y, k));
        }

        return y;
    }

    private static void SinCos(in JetLanes u, out JetLanes s, out JetLanes c)
    {
        s = JetLanes.Uninitialized(u.Order);
        c = JetLanes.Uninitialized(u.Order);
        VectorMath.SinCos(u.At(0), out var sin0, out var cos0);
        s.Set(0, sin0);
        c.Set(0, cos0);
        for (int k = 1; k <= u.Order; k++)
        {
            var sk = ChainCoefficient(u, c, k);
            var ck = -ChainCoefficient(u, s, k);
            s.Set(k, sk);
            c.Set(k, ck);
        }
    }

    public static JetLanes Sin(JetLanes u)
    {
        SinCos(u, out var s, out _);
        return s;
    }

    public static JetLanes Cos(JetLanes u)
    {
        SinCos(u, out _, out var c);
        return c;
    }

    public static JetLanes Tan(JetLanes u) => SquareLaw(u, Map<TanOp>(u.At(0)), 1, 1);

    public static JetLanes Tanh(JetLanes u) => SquareLaw(u, Map<TanhOp>(u.At(0)), 1, -1);

    public static JetLanes Sigmoid(JetLanes u) => SquareLaw(u, Map<SigmoidOp>(u.At(0)), 0, -1, linear: 1);

    private static JetLanes SquareLaw(in JetLanes u, Vector<double> value, double a, double b, double linear = 0)
    {
        var y = JetLanes.Uninitialized(u.Order);
        var w = JetLanes.Uninitialized(u.Order);
        y.Set(0, value);
        w.Set(0, new Vector<double>(a) + linear * value + b * value * value);
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(u, w, k));
            var square = Vector<double>.Zero;
            for (int i = 0; i <= k; i++)
            {
                square += y.At(i) * y.At(k - i);
            }

            w.Set(k, linear * y.At(k) + b * square);
        }

        return y;
    }

    public static JetLanes Softplus(JetLanes u) => Integrate(u, Sigmoid(u), Map<SoftplusOp>(u.At(0)));

    public static JetLanes Erf(JetLanes u) => Integrate(u, Exp(-(u * u)) * TwoOverSqrtPi, Map<ErfOp>(u.At(0)));

    public static JetLanes Atan(JetLanes u) => Integrate(u, 1.0 / (u * u + 1.0), Map<AtanOp>(u.At(0)));

    public static JetLanes Log(JetLanes u)
    {
        var u0 = u.At(0);
        if (!Vector.GreaterThanAll(u0, Vector<double>.Zero))
        {
            return LaneWise(u, JetRules.Log);
        }

        var y = JetLanes.Uninitialized(u.Order);
        y.Set(0, Map<LogOp>(u0));
        for (int k = 1; k <= u.Order; k++)
        {
            var s = Vector<double>.Zero;
            for (int j = 1; j < k; j++)
            {
                s += new Vector<double>(j) * y.At(j) * u.At(k - j);
            }

            y.Set(k, (u.At(k) - s / k) / u0);
        }

        return y;
    }

    public static JetLanes Sqrt(JetLanes u)
    {
        if (AnyLaneIs(u.At(0), 0))
        {
            return LaneWise(u, JetRules.Sqrt);
        }

        var y = JetLanes.Uninitialized(u.Order);
        var y0 = Vector.SquareRoot(u.At(0));
        y.Set(0, y0);
        for (int k = 1; k <= u.Order; k++)
        {
            var s = u.At(k);
            for (int j = 1; j < k; j++)
            {
                s -= y.At(j) * y.At(k - j);
            }

            y.Set(k, s / (2 * y0));
        }

        return y;
    }

    private const double LargestProductPower = 1 << 20;

    public static JetLanes Pow(JetLanes u, double r)
    {
        if (r == 0)
        {
            return JetLanes.Constant(1, u.Order);
        }

        if (r == Math.Floor(r) && Math.Abs(r) <= LargestProductPower)
        {
            var p = IntegerPower(u, (int)Math.Abs(r));
            return r > 0 ? p : 1.0 / p;
        }

        if (r == 0.5)
        {
            return Sqrt(u);
        }

        var u0 = u.At(0);
        if (AnyLaneIs(u0, 0))
        {
            return LaneWise(u, x => JetRules.Pow(x, r));
        }

        var y = JetLanes.Uninitialized(u.Order);
        Span<double> lanes = stackalloc double[JetLanes.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = Math.Pow(u0[l], r);
        }

        y.Set(0, new Vector<double>(lanes));
        for (int k = 1; k <= u.Order; k++)
        {
            var s = Vector<double>.Zero;
            for (int j = 1; j <= k; j++)
            {
                s += ((r + 1) * j - k) * u.At(j) * y.At(k - j);
            }

            y.Set(k, s / (k * u0));
        }

        return y;
    }

    private static JetLanes IntegerPower(in JetLanes u, int n)
    {
        var result = JetLanes.Constant(1, u.Order);
        var square = u;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                result *= square;
            }

            n >>= 1;
            if (n > 0)
            {
                square *= square;
            }
        }

        return result;
    }

    public static JetLanes Pow(JetLanes u, JetLanes v)
    {
        // Jet takes another route for a constant exponent: any lane with one goes through the scalar rule.
        var varying = Vector<long>.Zero;
        for (int k = 1; k <= v.Order; k++)
        {
            varying |= ~Vector.Equals(v.At(k), Vector<double>.Zero);
        }

        if (Vector.EqualsAny(varying, Vector<long>.Zero))
        {
            int order = Math.Min(u.Order, v.Order);
            var r = JetLanes.Uninitialized(order);
            for (int l = 0; l < JetLanes.Count; l++)
            {
                r.SetLane(l, JetRules.Pow(u.Lane(l), v.Lane(l)));
            }

            return r;
        }

        return Exp(v * Log(u));
    }

    public static JetLanes Abs(JetLanes u)
    {
        var u0 = u.At(0);
        if (AnyLaneIs(u0, 0))
        {
            return LaneWise(u, JetRules.Abs);
        }

        var negative = Vector.LessThan(u0, Vector<double>.Zero);
        var r = JetLanes.Uninitialized(u.Order);
        for (int k = 0; k <= u.Order; k++)
        {
            r.Set(k, Vector.ConditionalSelect(negative, -u.At(k), u.At(k)));
        }

        return r;
    }
}
