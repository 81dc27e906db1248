using System.Numerics;
using System.Runtime.CompilerServices;
using Rules = TrainingDiagnostics.Jets.TaylorRules<TrainingDiagnostics.Kernels.Lanes.JetLanes4, System.Numerics.Vector<double>, System.Numerics.Vector<long>, TrainingDiagnostics.Kernels.Lanes.LaneArithmetic<TrainingDiagnostics.Kernels.Lanes.JetLanes4>>;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// <see cref="JetLanes"/> with room for orders 0..4 only: the same rules (<c>TaylorRules</c>, through
/// <see cref="LaneArithmetic{TLanes}"/>) on 5 coefficient vectors instead of 9, so that every struct copy (each
/// operator argument and result) moves 5 vectors; the CPU executor uses it for orders up to 4. Its
/// numbers are bit-identical to <see cref="JetLanes"/>'s.
/// </summary>
[SkipLocalsInit]
internal struct JetLanes4 : IJet<JetLanes4>, ILaneJet<JetLanes4>
{
    private const int Capacity = 5;

    [InlineArray(Capacity)]
    private struct Coefficients
    {
        private Vector<double> _element;
    }

    // Unlike Jet, coefficients above _order are left uninitialized (never read): zeroing them on every
    // operation cost more than the arithmetic at low orders.
    private Coefficients _c;
    private int _order;

    /// <summary>The number of lanes (points per jet vector), <see cref="Vector{T}.Count"/> for double.</summary>
    public static int Count => Vector<double>.Count;

    static int ILaneJet<JetLanes4>.MaxOrder => Capacity - 1;

    /// <inheritdoc cref="Jet.Order"/>
    public readonly int Order => _order;

    /// <summary>The values f(x0) of every lane (coefficient 0).</summary>
    public readonly Vector<double> Value => _c[0];

    /// <summary>Coefficient k of every lane; NaN lanes when k is outside 0..<see cref="Order"/>. O(1).</summary>
    /// <param name="k">The order of the coefficient.</param>
    public readonly Vector<double> this[int k] => (uint)k <= (uint)_order ? _c[k] : new Vector<double>(double.NaN);

    /// <summary>The scalar jet of one lane. O(K).</summary>
    /// <param name="lane">The lane, 0..<see cref="Count"/>−1.</param>
    public readonly Jet Lane(int lane)
    {
        var j = Jet.Zero(_order);
        for (int k = 0; k <= _order; k++)
        {
            j.Set(k, _c[k][lane]);
        }

        return j;
    }

    /// <summary>The independent variables t ↦ x + t of every lane: coefficients (x, 1, 0, ...).</summary>
    /// <param name="x">One point per lane.</param>
    /// <param name="order">The truncation order, clamped into 0..4.</param>
    public static JetLanes4 Variable(Vector<double> x, int order)
    {
        var r = Constant(x, order);
        if (r._order >= 1)
        {
            r._c[1] = Vector<double>.One;
        }

        return r;
    }

    /// <summary>Constant jets, one constant per lane.</summary>
    /// <param name="c">One constant per lane.</param>
    /// <param name="order">The truncation order, clamped into 0..4.</param>
    public static JetLanes4 Constant(Vector<double> c, int order)
    {
        var r = Uninitialized(Math.Clamp(order, 0, Capacity - 1));
        r._c[0] = c;
        for (int k = 1; k <= r._order; k++)
        {
            r._c[k] = Vector<double>.Zero;
        }

        return r;
    }

    /// <summary>The same constant in every lane.</summary>
    /// <param name="c">The constant.</param>
    /// <param name="order">The truncation order, clamped into 0..4.</param>
    public static JetLanes4 Constant(double c, int order) => Constant(new Vector<double>(c), order);

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

    // ---- storage (internal): what the one rule set (TaylorRules, through LaneArithmetic<T>) uses

    internal static JetLanes4 Uninitialized(int order)
    {
        Unsafe.SkipInit(out JetLanes4 r);
        r._order = order;
        return r;
    }

    internal readonly Vector<double> At(int k) => _c[k];

    internal void Set(int k, Vector<double> value) => _c[k] = value;

    internal void SetLane(int lane, in Jet jet)
    {
        for (int k = 0; k <= _order; k++)
        {
            _c[k] = _c[k].WithElement(lane, jet.At(k));
        }
    }

    static JetLanes4 ILaneJet<JetLanes4>.Uninitialized(int order) => Uninitialized(order);

    readonly Vector<double> ILaneJet<JetLanes4>.At(int k) => _c[k];

    void ILaneJet<JetLanes4>.Set(int k, Vector<double> value) => _c[k] = value;

    void ILaneJet<JetLanes4>.SetLane(int lane, in Jet jet) => SetLane(lane, jet);

    // ---- arithmetic and elementary functions: Jet's rules (TaylorRules), on whole vectors

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes4 operator -(JetLanes4 a) => Rules.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes4 operator +(JetLanes4 a, JetLanes4 b) => Rules.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes4 operator -(JetLanes4 a, JetLanes4 b) => Rules.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes4 operator *(JetLanes4 a, JetLanes4 b)
        => a._order == FullOrder && b._order == FullOrder ? MultiplyFull(ref a, ref b) : MultiplyByRules(a, b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes4 operator /(JetLanes4 a, JetLanes4 b) => Rules.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes4 operator +(JetLanes4 a, double c) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes4 operator +(double c, JetLanes4 a) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes4 operator -(JetLanes4 a, double c) => Rules.AddConstant(ref a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes4 operator -(double c, JetLanes4 a) => SubtractFromConstant(c, ref a);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes4 operator *(JetLanes4 a, double c) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes4 operator *(double c, JetLanes4 a) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes4 operator /(JetLanes4 a, double c) => Rules.DivideByScalar(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes4 operator /(double c, JetLanes4 a)
        => Rules.DivideInto(c, ref a);

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes4 Sin(JetLanes4 u) => u._order == FullOrder ? SinOrCosFull(ref u, wantSin: true) : SinByRules(u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes4 Cos(JetLanes4 u) => u._order == FullOrder ? SinOrCosFull(ref u, wantSin: false) : CosByRules(u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes4 Tan(JetLanes4 u) => Rules.Tan(ref u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes4 Exp(JetLanes4 u) => u._order == FullOrder ? ExpFull(ref u) : ExpByRules(u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes4 Log(JetLanes4 u) => Rules.Log(ref u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes4 Sqrt(JetLanes4 u) => Rules.Sqrt(ref u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes4 Tanh(JetLanes4 u) => Rules.Tanh(ref u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes4 Sigmoid(JetLanes4 u) => Rules.Sigmoid(ref u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes4 Softplus(JetLanes4 u) => Rules.Softplus(ref u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes4 Erf(JetLanes4 u) => Rules.Erf(ref u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes4 Atan(JetLanes4 u) => Rules.Atan(ref u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes4 Pow(JetLanes4 u, double r) => Rules.Pow(ref u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes4 Pow(JetLanes4 u, JetLanes4 v) => PowOfLanes(u, v);

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes4 Abs(JetLanes4 u) => Rules.Abs(ref u);

    private static JetLanes4 SubtractFromConstant(double c, ref JetLanes4 a)
    {
        var negated = Rules.Negate(ref a);
        return Rules.AddConstant(ref negated, c);
    }

    /// <summary>u^v: exp(v·log u) when every lane's exponent varies; a lane with a constant exponent takes Jet's route.</summary>
    private static JetLanes4 PowOfLanes(JetLanes4 u, JetLanes4 v)
    {
        var varying = Vector<long>.Zero;
        for (int k = 1; k <= v._order; k++)
        {
            varying |= ~Vector.Equals(v._c[k], Vector<double>.Zero);
        }

        if (!Vector.EqualsAny(varying, Vector<long>.Zero))
        {
            return Rules.PowVarying(ref u, ref v);
        }

        var r = Uninitialized(Math.Min(u._order, v._order));
        for (int l = 0; l < Count; l++)
        {
            r.SetLane(l, Jet.Pow(u.Lane(l), v.Lane(l)));
        }

        return r;
    }

    // ---- order 4 exactly (the executor's case for maxOrder 4): the rules unrolled, straight-line code with constant
    // indices (no loops, no bounds checks), measured faster (the Kernels Taylor-orders benchmark). The same operations
    // in the same order as TaylorRules' Multiply and ChainCoefficient (y_k = u_k·g_0 + Σ_(j=1..k−1) (j/k)·u_j·g_(k−j)),
    // so the numbers are bit-identical (JetLanesTests guards it); the one exact rewrite is 1·x = x.

    private const int FullOrder = Capacity - 1;

    // The other orders take the rules through these by-value calls, not Rules.X(ref u) directly: handing the operator's
    // own parameter to a rule that is not inlined by ref makes it address-exposed, and once the operator is inlined into
    // the caller the JIT then keeps the caller's jets in memory on the unrolled path too (measured: orders 0..4 of
    // exp(sin x)·x² 34 -> 20 ms, a product of order-4 jets 15 -> 6 ms per 10^6 points, single thread).
    private static JetLanes4 MultiplyByRules(JetLanes4 a, JetLanes4 b) => Rules.Multiply(ref a, ref b);

    private static JetLanes4 ExpByRules(JetLanes4 u) => Rules.Exp(ref u);

    private static JetLanes4 SinByRules(JetLanes4 u) => Rules.Sin(ref u);

    private static JetLanes4 CosByRules(JetLanes4 u) => Rules.Cos(ref u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 MultiplyFull(ref JetLanes4 a, ref JetLanes4 b)
    {
        Vector<double> a0 = a._c[0], a1 = a._c[1], a2 = a._c[2], a3 = a._c[3], a4 = a._c[4];
        Vector<double> b0 = b._c[0], b1 = b._c[1], b2 = b._c[2], b3 = b._c[3], b4 = b._c[4];
        var r = Uninitialized(FullOrder);
        r._c[0] = a0 * b0;
        r._c[1] = a0 * b1 + a1 * b0;
        r._c[2] = a0 * b2 + a1 * b1 + a2 * b0;
        r._c[3] = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
        r._c[4] = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
        return r;
    }

    /// <summary>exp(u) at order 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 ExpFull(ref JetLanes4 u)
    {
        Vector<double> u1 = u._c[1], u2 = u._c[2], u3 = u._c[3], u4 = u._c[4];
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        var y0 = VectorMath.Exp(u._c[0]);
        var y1 = u1 * y0;
        var y2 = u2 * y0 + half * u1 * y1;
        var y3 = u3 * y0 + third * u1 * y2 + twoThirds * u2 * y1;
        var y4 = u4 * y0 + quarter * u1 * y3 + half * u2 * y2 + threeQuarters * u3 * y1;
        var y = Uninitialized(FullOrder);
        y._c[0] = y0;
        y._c[1] = y1;
        y._c[2] = y2;
        y._c[3] = y3;
        y._c[4] = y4;
        return y;
    }

    /// <summary>sin or cos of u at order 4, the two recurrences fused: s' = c·u', c' = −s·u'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 SinOrCosFull(ref JetLanes4 u, bool wantSin)
    {
        Vector<double> u1 = u._c[1], u2 = u._c[2], u3 = u._c[3], u4 = u._c[4];
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        VectorMath.SinCos(u._c[0], out var s0, out var c0);
        var s1 = u1 * c0;
        var c1 = -(u1 * s0);
        var s2 = u2 * c0 + half * u1 * c1;
        var c2 = -(u2 * s0 + half * u1 * s1);
        var s3 = u3 * c0 + third * u1 * c2 + twoThirds * u2 * c1;
        var c3 = -(u3 * s0 + third * u1 * s2 + twoThirds * u2 * s1);
        var y = Uninitialized(FullOrder);
        if (wantSin)
        {
            y._c[0] = s0;
            y._c[1] = s1;
            y._c[2] = s2;
            y._c[3] = s3;
            y._c[4] = u4 * c0 + quarter * u1 * c3 + half * u2 * c2 + threeQuarters * u3 * c1;
        }
        else
        {
            y._c[0] = c0;
            y._c[1] = c1;
            y._c[2] = c2;
            y._c[3] = c3;
            y._c[4] = -(u4 * s0 + quarter * u1 * s3 + half * u2 * s2 + threeQuarters * u3 * s1);
        }

        return y;
    }
}
