using System.Numerics;
using System.Runtime.CompilerServices;
using TrainingDiagnostics.Jets;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// The lane jets' storage and coefficient arithmetic for the one rule set (<c>TaylorRules</c>):
/// a coefficient is a SIMD vector of doubles, a condition a vector of lane masks. The values of exp, sin and cos are
/// vectorized (<see cref="VectorMath"/>), the other functions' values come lane by lane from the same scalar calls as
/// <see cref="Jet"/>'s.
/// </summary>
/// <typeparam name="TLanes">The lane jet type (<see cref="JetLanes"/>, <see cref="JetLanes4"/>, <see cref="JetLanes1"/>).</typeparam>
[SkipLocalsInit]
internal readonly unsafe struct LaneArithmetic<TLanes> : ITaylorArithmetic<TLanes, Vector<double>, Vector<long>>
    where TLanes : struct, ILaneJet<TLanes>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Create(int order) => TLanes.Uninitialized(order);

    public static int OrderOf(ref TLanes jet) => jet.Order;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> At(ref TLanes jet, int k) => jet.At(k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(ref TLanes jet, int k, Vector<double> value) => jet.Set(k, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Constant(double c, Vector<double> like) => new(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Add(Vector<double> a, Vector<double> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Subtract(Vector<double> a, Vector<double> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Negate(Vector<double> a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> AddScalar(Vector<double> a, double c) => a + new Vector<double>(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Scale(Vector<double> a, double c) => a * c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> DivideByScalar(Vector<double> a, double c) => a / c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Multiply(Vector<double> a, Vector<double> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Divide(Vector<double> a, Vector<double> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Weighted(Vector<double> a, Vector<double> b, double w)
        => new Vector<double>(w) * a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> MultiplyAdd(Vector<double> acc, Vector<double> a, Vector<double> b)
        => acc + a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> MultiplyAdd(Vector<double> acc, Vector<double> a, Vector<double> b, double w)
        => acc + new Vector<double>(w) * a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> AddTo(Vector<double> acc, Vector<double> x) => acc + x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> SubtractFrom(Vector<double> acc, Vector<double> x) => x - acc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> DivideBy(Vector<double> acc, Vector<double> d) => acc / d;

    public static Vector<double> ExpOf(Vector<double> x) => VectorMath.Exp(x);

    public static void SinCosOf(Vector<double> x, out Vector<double> sin, out Vector<double> cos)
        => VectorMath.SinCos(x, out sin, out cos);

    public static Vector<double> TanOf(Vector<double> x) => Map(x, &Math.Tan);

    public static Vector<double> TanhOf(Vector<double> x) => Map(x, &Math.Tanh);

    public static Vector<double> SigmoidOf(Vector<double> x) => Map(x, &ScalarMath.Sigmoid);

    public static Vector<double> SoftplusOf(Vector<double> x) => Map(x, &ScalarMath.Softplus);

    public static Vector<double> ErfOf(Vector<double> x) => Map(x, &ScalarMath.Erf);

    public static Vector<double> AtanOf(Vector<double> x) => Map(x, &Math.Atan);

    public static Vector<double> LogOf(Vector<double> x) => Map(x, &Math.Log);

    public static Vector<double> SqrtOf(Vector<double> x) => Vector.SquareRoot(x);

    public static Vector<double> PowOf(Vector<double> x, double r)
    {
        Span<double> lanes = stackalloc double[Vector<double>.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = Math.Pow(x[l], r);
        }

        return new Vector<double>(lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> IsZero(Vector<double> x) => Vector.Equals(x, Vector<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> IsPositive(Vector<double> x) => Vector.GreaterThan(x, Vector<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> IsNegative(Vector<double> x) => Vector.LessThan(x, Vector<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> Not(Vector<long> m) => ~m;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> And(Vector<long> a, Vector<long> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<long> Or(Vector<long> a, Vector<long> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MayHold(Vector<long> m) => !Vector.EqualsAll(m, Vector<long>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Select(Vector<long> m, Vector<double> a, Vector<double> b)
        => Vector.ConditionalSelect(m, a, b);

    /// <summary>A scalar function lane by lane (a static function pointer: no delegate, no allocation).</summary>
    private static unsafe Vector<double> Map(Vector<double> x, delegate*<double, double> f)
    {
        Span<double> lanes = stackalloc double[Vector<double>.Count];
        for (int l = 0; l < lanes.Length; l++)
        {
            lanes[l] = f(x[l]);
        }

        return new Vector<double>(lanes);
    }
}
