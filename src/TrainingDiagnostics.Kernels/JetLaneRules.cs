using System.Numerics;
using System.Runtime.CompilerServices;
using TrainingDiagnostics.Kernels.Lanes;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The rules of <see cref="JetRules"/> on lane jets (<see cref="JetLanes"/> and its smaller siblings), one for one
/// and in the same order of operations, written once over <see cref="ILaneJet{TSelf}"/>. The Taylor recurrences
/// run on whole vectors; exp, sin and cos values come from <see cref="VectorMath"/> (about 1 ulp from
/// <see cref="Math"/>'s), the other functions' values lane by lane from the same scalar calls as
/// <see cref="Jet"/>; lanes at domain edges send the whole vector to the scalar rule (<c>LaneWise</c>), a
/// rare path. Helpers take their jets by <c>ref</c>: through a generic constraint an <c>in</c> parameter would
/// be copied defensively at every call of <see cref="ILaneJet{TSelf}.At"/>.
/// </summary>
/// <typeparam name="T">The lane jet type.</typeparam>
[SkipLocalsInit] // the lane buffers are written before they are read; zeroing them cost as much as the math at order 1
internal static class JetLaneRules<T>
    where T : struct, ILaneJet<T>
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>The scalar rule on every lane: exactly Jet's semantics, at scalar speed.</summary>
    private static T LaneWise(ref T u, Func<Jet, Jet> rule)
    {
        var r = T.Uninitialized(u.Order);
        for (int l = 0; l < Vector<double>.Count; l++)
        {
            r.SetLane(l, rule(u.Lane(l)));
        }

        return r;
    }

    private static bool AnyLaneIs(Vector<double> x, double value) => Vector.EqualsAny(x, new Vector<double>(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ChainCoefficient(ref T u, ref T g, int k)
    {
        var s = Vector<double>.Zero;
        for (int j = 1; j <= k; j++)
        {
            s += new Vector<double>(j) * u.At(j) * g.At(k - j);
        }

        return s / k;
    }

    private static T Integrate(ref T u, ref T g, Vector<double> value)
    {
        int order = Math.Min(u.Order, g.Order);
        var y = T.Uninitialized(order);
        y.Set(0, value);
        for (int k = 1; k <= order; k++)
        {
            y.Set(k, ChainCoefficient(ref u, ref g, k));
        }

        return y;
    }

    public static T Exp(T u)
    {
        var y = T.Uninitialized(u.Order);
        y.Set(0, VectorMath.Exp(u.At(0)));
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(ref u, ref y, k));
        }

        return y;
    }

    /// <summary>sin (<paramref name="wantSin"/>) or cos of u: the other one is built alongside (s' = c·u', c' = −s·u').</summary>
    private static T SinOrCos(ref T u, bool wantSin)
    {
        var s = T.Uninitialized(u.Order);
        var c = T.Uninitialized(u.Order);
        VectorMath.SinCos(u.At(0), out var sin0, out var cos0);
        s.Set(0, sin0);
        c.Set(0, cos0);
        for (int k = 1; k <= u.Order; k++)
        {
            var sk = ChainCoefficient(ref u, ref c, k);
            var ck = -ChainCoefficient(ref u, ref s, k);
            s.Set(k, sk);
            c.Set(k, ck);
        }

        return wantSin ? s : c;
    }

    public static T Sin(T u) => SinOrCos(ref u, wantSin: true);

    public static T Cos(T u) => SinOrCos(ref u, wantSin: false);

    public static T Tan(T u) => SquareLaw(ref u, JetLaneRules.Map<JetLaneRules.TanOp>(u.At(0)), 1, 1);

    public static T Tanh(T u) => SquareLaw(ref u, JetLaneRules.Map<JetLaneRules.TanhOp>(u.At(0)), 1, -1);

    public static T Sigmoid(T u) => SquareLaw(ref u, JetLaneRules.Map<JetLaneRules.SigmoidOp>(u.At(0)), 0, -1, linear: 1);

    private static T SquareLaw(ref T u, Vector<double> value, double a, double b, double linear = 0)
    {
        var y = T.Uninitialized(u.Order);
        var w = T.Uninitialized(u.Order);
        y.Set(0, value);
        w.Set(0, new Vector<double>(a) + linear * value + b * value * value);
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(ref u, ref w, k));
            var square = Vector<double>.Zero;
            for (int i = 0; i <= k; i++)
            {
                square += y.At(i) * y.At(k - i);
            }

            w.Set(k, linear * y.At(k) + b * square);
        }

        return y;
    }

    public static T Softplus(T u)
    {
        var g = Sigmoid(u);
        return Integrate(ref u, ref g, JetLaneRules.Map<JetLaneRules.SoftplusOp>(u.At(0)));
    }

    public static T Erf(T u)
    {
        var g = Exp(-(u * u)) * TwoOverSqrtPi;
        return Integrate(ref u, ref g, JetLaneRules.Map<JetLaneRules.ErfOp>(u.At(0)));
    }

    public static T Atan(T u)
    {
        var g = 1.0 / (u * u + 1.0);
        return Integrate(ref u, ref g, JetLaneRules.Map<JetLaneRules.AtanOp>(u.At(0)));
    }

    public static T Log(T u)
    {
        var u0 = u.At(0);
        if (!Vector.GreaterThanAll(u0, Vector<double>.Zero))
        {
            return LaneWise(ref u, JetRules.Log);
        }

        var y = T.Uninitialized(u.Order);
        y.Set(0, JetLaneRules.Map<JetLaneRules.LogOp>(u0));
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

    public static T Sqrt(T u)
    {
        if (AnyLaneIs(u.At(0), 0))
        {
            return LaneWise(ref u, JetRules.Sqrt);
        }

        var y = T.Uninitialized(u.Order);
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

    public static T Pow(T u, double r)
    {
        if (r == 0)
        {
            return T.Constant(Vector<double>.One, u.Order);
        }

        if (r == Math.Floor(r) && Math.Abs(r) <= LargestProductPower)
        {
            var p = IntegerPower(ref u, (int)Math.Abs(r));
            return r > 0 ? p : 1.0 / p;
        }

        if (r == 0.5)
        {
            return Sqrt(u);
        }

        var u0 = u.At(0);
        if (AnyLaneIs(u0, 0))
        {
            return LaneWise(ref u, x => JetRules.Pow(x, r));
        }

        var y = T.Uninitialized(u.Order);
        Span<double> lanes = stackalloc double[Vector<double>.Count];
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

    private static T IntegerPower(ref T u, int n)
    {
        var result = T.Constant(Vector<double>.One, u.Order);
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

    public static T Pow(T u, T v)
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
            var r = T.Uninitialized(order);
            for (int l = 0; l < Vector<double>.Count; l++)
            {
                r.SetLane(l, JetRules.Pow(u.Lane(l), v.Lane(l)));
            }

            return r;
        }

        return Exp(v * Log(u));
    }

    public static T Abs(T u)
    {
        var u0 = u.At(0);
        if (AnyLaneIs(u0, 0))
        {
            return LaneWise(ref u, JetRules.Abs);
        }

        var negative = Vector.LessThan(u0, Vector<double>.Zero);
        var r = T.Uninitialized(u.Order);
        for (int k = 0; k <= u.Order; k++)
        {
            r.Set(k, Vector.ConditionalSelect(negative, -u.At(k), u.At(k)));
        }

        return r;
    }
}

/// <summary>The scalar function values of <see cref="JetLaneRules{T}"/>, lane by lane.</summary>
[SkipLocalsInit]
internal static class JetLaneRules
{
    public interface IScalar
    {
        double Of(double x);
    }

    public readonly struct TanOp : IScalar { public double Of(double x) => Math.Tan(x); }
    public readonly struct TanhOp : IScalar { public double Of(double x) => Math.Tanh(x); }
    public readonly struct LogOp : IScalar { public double Of(double x) => Math.Log(x); }
    public readonly struct AtanOp : IScalar { public double Of(double x) => Math.Atan(x); }
    public readonly struct SigmoidOp : IScalar { public double Of(double x) => ScalarMath.Sigmoid(x); }
    public readonly struct SoftplusOp : IScalar { public double Of(double x) => ScalarMath.Softplus(x); }
    public readonly struct ErfOp : IScalar { public double Of(double x) => ScalarMath.Erf(x); }

    /// <summary>A scalar function applied lane by lane (a struct operation, so the call inlines).</summary>
    public static Vector<double> Map<TOp>(Vector<double> x)
        where TOp : struct, IScalar
    {
        Span<double> lanes = stackalloc double[Vector<double>.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = default(TOp).Of(x[l]);
        }

        return new Vector<double>(lanes);
    }
}
