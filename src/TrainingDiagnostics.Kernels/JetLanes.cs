using System.Numerics;
using System.Runtime.CompilerServices;
using TrainingDiagnostics.Jets;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// <see cref="Count"/> jets side by side, one per SIMD lane (<see cref="Vector{T}"/> of double): the same
/// truncated Taylor arithmetic as <see cref="Jet"/>, for <see cref="Count"/> points at once, up to the order its
/// storage holds (<see cref="LanesUpToOrder1"/>, <see cref="LanesUpToOrder4"/> or <see cref="LanesUpToOrder8"/>).
/// CPU only (ILGPU kernels cannot use it); see <see cref="ILaneFunction"/>.
/// </summary>
/// <remarks>
/// Same convention as <see cref="Jet"/>: normalized Taylor coefficients <c>f^(k)/k!</c>, orders 0..Order. The rules are
/// <see cref="Jet"/>'s own (one rule set, <c>TaylorRules</c>), run on whole vectors with the edges of the domains decided
/// lane by lane. The values of exp, sin and cos come from vectorized polynomials within 2 ulp of <see cref="Math"/>'s
/// (.NET 10's own vector versions for double run at scalar speed), the other functions' values lane by lane from the
/// same <see cref="Math"/> calls as <see cref="Jet"/>; so lanes agree with <see cref="Jet"/> to rounding (about 1e-15
/// relative). Every storage gives bit-identical numbers: only the number of bytes each struct copy moves differs.
/// </remarks>
/// <typeparam name="TCoefficients">The storage, which fixes the highest order.</typeparam>
[SkipLocalsInit] // coefficients above the order are never read: zeroing them cost as much as the math at order 1
public struct JetLanes<TCoefficients> : IJet<JetLanes<TCoefficients>>
    where TCoefficients : struct, ILaneCoefficients
{
    private TCoefficients _c;
    private int _order;

    static JetLanes()
    {
        if (TCoefficients.Capacity < 1 || Unsafe.SizeOf<TCoefficients>() != TCoefficients.Capacity * Unsafe.SizeOf<Vector<double>>())
        {
            throw new NotSupportedException(
                $"{typeof(TCoefficients).Name} declares a capacity of {TCoefficients.Capacity} coefficient vectors but occupies " +
                $"{Unsafe.SizeOf<TCoefficients>()} bytes; a lane storage must be an [InlineArray(Capacity)] of Vector<double>, " +
                "such as LanesUpToOrder1, LanesUpToOrder4 or LanesUpToOrder8.");
        }
    }

    /// <summary>The number of lanes (points per jet vector), <see cref="Vector{T}.Count"/> for double.</summary>
    public static int Count => Vector<double>.Count;

    /// <summary>The highest order this storage holds.</summary>
    public static int MaxOrder => TCoefficients.Capacity - 1;

    /// <inheritdoc cref="Jet.Order"/>
    public readonly int Order => _order;

    /// <summary>The values f(x0) of every lane (coefficient 0).</summary>
    public readonly Vector<double> Value => At(0);

    /// <summary>Coefficient k of every lane; NaN lanes when k is outside 0..<see cref="Order"/>. O(1).</summary>
    /// <param name="k">The order of the coefficient.</param>
    public readonly Vector<double> this[int k] => (uint)k <= (uint)_order ? At(k) : new Vector<double>(double.NaN);

    /// <summary>The scalar jet of one lane. O(K).</summary>
    /// <param name="lane">The lane, 0..<see cref="Count"/>−1.</param>
    public readonly Jet Lane(int lane)
    {
        var j = Jet.Zero(_order);
        for (int k = 0; k <= _order; k++)
        {
            j.Set(k, At(k)[lane]);
        }

        return j;
    }

    /// <summary>The independent variables t ↦ x + t of every lane: coefficients (x, 1, 0, ...).</summary>
    /// <param name="x">One point per lane.</param>
    /// <param name="order">The truncation order, clamped into 0..<see cref="MaxOrder"/>.</param>
    public static JetLanes<TCoefficients> Variable(Vector<double> x, int order)
    {
        var r = Constant(x, order);
        if (r._order >= 1)
        {
            r.Set(1, Vector<double>.One);
        }

        return r;
    }

    /// <summary>Constant jets, one constant per lane.</summary>
    /// <param name="c">One constant per lane.</param>
    /// <param name="order">The truncation order, clamped into 0..<see cref="MaxOrder"/>.</param>
    public static JetLanes<TCoefficients> Constant(Vector<double> c, int order)
    {
        var r = Uninitialized(Math.Clamp(order, 0, MaxOrder));
        r.Set(0, c);
        for (int k = 1; k <= r._order; k++)
        {
            r.Set(k, Vector<double>.Zero);
        }

        return r;
    }

    /// <summary>The same constant in every lane.</summary>
    /// <param name="c">The constant.</param>
    /// <param name="order">The truncation order, clamped into 0..<see cref="MaxOrder"/>.</param>
    public static JetLanes<TCoefficients> Constant(double c, int order) => Constant(new Vector<double>(c), order);

    /// <summary>Writes the coefficients of every lane.</summary>
    public override readonly string ToString()
    {
        var lanes = new string[Count];
        for (int l = 0; l < Count; l++)
        {
            lanes[l] = Lane(l).ToString();
        }

        return string.Join("; ", lanes);
    }

    // ---- storage (internal: the executor and the rules; k is not checked against the order)

    internal static JetLanes<TCoefficients> Uninitialized(int order)
    {
        Unsafe.SkipInit(out JetLanes<TCoefficients> r);
        r._order = order;
        return r;
    }

    internal readonly Vector<double> At(int k)
        => Unsafe.Add(ref Unsafe.As<TCoefficients, Vector<double>>(ref Unsafe.AsRef(in _c)), k);

    internal void Set(int k, Vector<double> value)
        => Unsafe.Add(ref Unsafe.As<TCoefficients, Vector<double>>(ref _c), k) = value;

    internal void SetLane(int lane, in Jet jet)
    {
        for (int k = 0; k <= _order; k++)
        {
            Set(k, At(k).WithElement(lane, jet.At(k)));
        }
    }

    // ---- arithmetic and elementary functions: Jet's rules (TaylorRules), on whole vectors

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes<TCoefficients> operator -(JetLanes<TCoefficients> a) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes<TCoefficients> operator +(JetLanes<TCoefficients> a, JetLanes<TCoefficients> b) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes<TCoefficients> operator -(JetLanes<TCoefficients> a, JetLanes<TCoefficients> b) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes<TCoefficients> operator *(JetLanes<TCoefficients> a, JetLanes<TCoefficients> b)
        => IsUnrolled(a._order) && b._order == UnrolledOrder ? MultiplyUnrolled(ref a, ref b) : TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Multiply(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes<TCoefficients> operator /(JetLanes<TCoefficients> a, JetLanes<TCoefficients> b) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes<TCoefficients> operator +(JetLanes<TCoefficients> a, double c) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes<TCoefficients> operator +(double c, JetLanes<TCoefficients> a) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes<TCoefficients> operator -(JetLanes<TCoefficients> a, double c) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.AddConstant(ref a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes<TCoefficients> operator -(double c, JetLanes<TCoefficients> a)
    {
        var negated = TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Negate(ref a);
        return TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.AddConstant(ref negated, c);
    }

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes<TCoefficients> operator *(JetLanes<TCoefficients> a, double c) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes<TCoefficients> operator *(double c, JetLanes<TCoefficients> a) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes<TCoefficients> operator /(JetLanes<TCoefficients> a, double c) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.DivideByScalar(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes<TCoefficients> operator /(double c, JetLanes<TCoefficients> a) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.DivideInto(c, ref a);

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes<TCoefficients> Sin(JetLanes<TCoefficients> u)
        => IsUnrolled(u._order) ? SinOrCosUnrolled(ref u, wantSin: true) : TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Sin(ref u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes<TCoefficients> Cos(JetLanes<TCoefficients> u)
        => IsUnrolled(u._order) ? SinOrCosUnrolled(ref u, wantSin: false) : TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Cos(ref u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes<TCoefficients> Tan(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Tan(ref u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes<TCoefficients> Exp(JetLanes<TCoefficients> u) => IsUnrolled(u._order) ? ExpUnrolled(ref u) : TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Exp(ref u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes<TCoefficients> Log(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Log(ref u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes<TCoefficients> Sqrt(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Sqrt(ref u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes<TCoefficients> Tanh(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Tanh(ref u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes<TCoefficients> Sigmoid(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Sigmoid(ref u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes<TCoefficients> Softplus(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Softplus(ref u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes<TCoefficients> Erf(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Erf(ref u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes<TCoefficients> Atan(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Atan(ref u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes<TCoefficients> Pow(JetLanes<TCoefficients> u, double r) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Pow(ref u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes<TCoefficients> Pow(JetLanes<TCoefficients> u, JetLanes<TCoefficients> v)
    {
        var varying = Vector<long>.Zero;
        for (int k = 1; k <= v._order; k++)
        {
            varying |= ~Vector.Equals(v.At(k), Vector<double>.Zero);
        }

        if (!Vector.EqualsAny(varying, Vector<long>.Zero))
        {
            return TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.PowVarying(ref u, ref v);
        }

        // A lane with a constant exponent takes Jet's route for it (a real power with its own integer and zero cases).
        var r = Uninitialized(Math.Min(u._order, v._order));
        for (int l = 0; l < Count; l++)
        {
            r.SetLane(l, Jet.Pow(u.Lane(l), v.Lane(l)));
        }

        return r;
    }

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes<TCoefficients> Abs(JetLanes<TCoefficients> u) => TaylorRules<JetLanes<TCoefficients>, Vector<double>, Vector<long>, LaneArithmetic<TCoefficients>>.Abs(ref u);

    // ---- order 4 exactly in the order-4 storage (the executor's case for maxOrder 2..4): the generic rules unrolled,
    // straight-line code with constant indices (no loops, no bounds checks), measured faster (benchmarks/results, the
    // Kernels Taylor-orders benchmark). The same operations in the same order as TaylorRules' Multiply and
    // ChainCoefficient, so the numbers are bit-identical (JetLanesTests guards it); the one exact rewrite is 1·x = x.

    private const int UnrolledOrder = 4;

    private static bool IsUnrolled(int order) => TCoefficients.Capacity == UnrolledOrder + 1 && order == UnrolledOrder;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes<TCoefficients> MultiplyUnrolled(ref JetLanes<TCoefficients> a, ref JetLanes<TCoefficients> b)
    {
        Vector<double> a0 = a.At(0), a1 = a.At(1), a2 = a.At(2), a3 = a.At(3), a4 = a.At(4);
        Vector<double> b0 = b.At(0), b1 = b.At(1), b2 = b.At(2), b3 = b.At(3), b4 = b.At(4);
        var r = Uninitialized(UnrolledOrder);
        r.Set(0, a0 * b0);
        r.Set(1, a0 * b1 + a1 * b0);
        r.Set(2, a0 * b2 + a1 * b1 + a2 * b0);
        r.Set(3, a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0);
        r.Set(4, a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0);
        return r;
    }

    /// <summary>exp(u) at order 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes<TCoefficients> ExpUnrolled(ref JetLanes<TCoefficients> u)
    {
        Vector<double> u1 = u.At(1), u2 = u.At(2), u3 = u.At(3), u4 = u.At(4);
        // The weights j/k of the chain rule y_k = u_k·g_0 + Σ_(j=1..k−1) (j/k)·u_j·g_(k−j), as TaylorRules computes them.
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        var y0 = VectorMath.Exp(u.At(0));
        var y1 = u1 * y0;
        var y2 = u2 * y0 + half * u1 * y1;
        var y3 = u3 * y0 + third * u1 * y2 + twoThirds * u2 * y1;
        var y4 = u4 * y0 + quarter * u1 * y3 + half * u2 * y2 + threeQuarters * u3 * y1;
        var y = Uninitialized(UnrolledOrder);
        y.Set(0, y0);
        y.Set(1, y1);
        y.Set(2, y2);
        y.Set(3, y3);
        y.Set(4, y4);
        return y;
    }

    /// <summary>sin or cos of u at order 4, the two recurrences fused: s' = c·u', c' = −s·u'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes<TCoefficients> SinOrCosUnrolled(ref JetLanes<TCoefficients> u, bool wantSin)
    {
        Vector<double> u1 = u.At(1), u2 = u.At(2), u3 = u.At(3), u4 = u.At(4);
        // The weights j/k of the chain rule y_k = u_k·g_0 + Σ_(j=1..k−1) (j/k)·u_j·g_(k−j), as TaylorRules computes them.
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        VectorMath.SinCos(u.At(0), out var s0, out var c0);
        var s1 = u1 * c0;
        var c1 = -(u1 * s0);
        var s2 = u2 * c0 + half * u1 * c1;
        var c2 = -(u2 * s0 + half * u1 * s1);
        var s3 = u3 * c0 + third * u1 * c2 + twoThirds * u2 * c1;
        var c3 = -(u3 * s0 + third * u1 * s2 + twoThirds * u2 * s1);
        var y = Uninitialized(UnrolledOrder);
        if (wantSin)
        {
            y.Set(0, s0);
            y.Set(1, s1);
            y.Set(2, s2);
            y.Set(3, s3);
            y.Set(4, u4 * c0 + quarter * u1 * c3 + half * u2 * c2 + threeQuarters * u3 * c1);
        }
        else
        {
            y.Set(0, c0);
            y.Set(1, c1);
            y.Set(2, c2);
            y.Set(3, c3);
            y.Set(4, -(u4 * s0 + quarter * u1 * s3 + half * u2 * s2 + threeQuarters * u3 * s1));
        }

        return y;
    }
}
