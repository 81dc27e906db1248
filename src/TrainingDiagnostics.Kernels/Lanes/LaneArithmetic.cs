using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// The arithmetic of <see cref="Jet"/> on lane jets, in the same order of operations (so each lane rounds
/// exactly as <see cref="Jet"/> does), written once for every capacity. Jets arrive by <c>ref</c> (see
/// <see cref="JetLaneRules{T}"/>); the operators that call these take them by value.
/// </summary>
/// <typeparam name="T">The lane jet type.</typeparam>
[SkipLocalsInit]
internal static class LaneArithmetic<T>
    where T : struct, ILaneJet<T>
{
    public static T Negate(ref T a)
    {
        var r = T.Uninitialized(a.Order);
        for (int k = 0; k <= a.Order; k++)
        {
            r.Set(k, -a.At(k));
        }

        return r;
    }

    public static T Add(ref T a, ref T b)
    {
        var r = T.Uninitialized(Math.Min(a.Order, b.Order));
        for (int k = 0; k <= r.Order; k++)
        {
            r.Set(k, a.At(k) + b.At(k));
        }

        return r;
    }

    public static T Subtract(ref T a, ref T b)
    {
        var r = T.Uninitialized(Math.Min(a.Order, b.Order));
        for (int k = 0; k <= r.Order; k++)
        {
            r.Set(k, a.At(k) - b.At(k));
        }

        return r;
    }

    public static T Multiply(ref T a, ref T b)
    {
        var r = T.Uninitialized(Math.Min(a.Order, b.Order));
        for (int k = 0; k <= r.Order; k++)
        {
            var s = Vector<double>.Zero;
            for (int j = 0; j <= k; j++)
            {
                s += a.At(j) * b.At(k - j);
            }

            r.Set(k, s);
        }

        return r;
    }

    public static T Divide(ref T a, ref T b)
    {
        var r = T.Uninitialized(Math.Min(a.Order, b.Order));
        for (int k = 0; k <= r.Order; k++)
        {
            var s = a.At(k);
            for (int j = 0; j < k; j++)
            {
                s -= r.At(j) * b.At(k - j);
            }

            r.Set(k, s / b.At(0));
        }

        return r;
    }

    public static T AddToValue(T a, double c)
    {
        a.Set(0, a.At(0) + new Vector<double>(c));
        return a;
    }

    public static T Scale(ref T a, double c)
    {
        var r = T.Uninitialized(a.Order);
        for (int k = 0; k <= a.Order; k++)
        {
            r.Set(k, a.At(k) * c);
        }

        return r;
    }

    public static T DivideBy(ref T a, double c)
    {
        var r = T.Uninitialized(a.Order);
        for (int k = 0; k <= a.Order; k++)
        {
            r.Set(k, a.At(k) / c);
        }

        return r;
    }
}
