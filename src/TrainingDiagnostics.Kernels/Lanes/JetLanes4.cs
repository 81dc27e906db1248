using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// <see cref="JetLanes"/> with room for orders 0..4 only: the same rules (<see cref="JetLaneRules{T}"/>,
/// <see cref="LaneArithmetic{T}"/>) on 5 coefficient vectors instead of 9, so that every struct copy (each
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

    // ---- storage (internal): what the generic rules in JetLaneRules<T> and LaneArithmetic<T> use

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

    // ---- arithmetic and elementary functions: the generic lane rules, the same operations as Jet's

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes4 operator -(JetLanes4 a) => LaneArithmetic<JetLanes4>.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes4 operator +(JetLanes4 a, JetLanes4 b) => LaneArithmetic<JetLanes4>.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes4 operator -(JetLanes4 a, JetLanes4 b) => LaneArithmetic<JetLanes4>.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes4 operator *(JetLanes4 a, JetLanes4 b)
        => a._order == FullOrder && b._order == FullOrder ? MultiplyFull(ref a, ref b) : LaneArithmetic<JetLanes4>.Multiply(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes4 operator /(JetLanes4 a, JetLanes4 b) => LaneArithmetic<JetLanes4>.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes4 operator +(JetLanes4 a, double c) => LaneArithmetic<JetLanes4>.AddToValue(a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes4 operator +(double c, JetLanes4 a) => LaneArithmetic<JetLanes4>.AddToValue(a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes4 operator -(JetLanes4 a, double c) => LaneArithmetic<JetLanes4>.AddToValue(a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes4 operator -(double c, JetLanes4 a) => LaneArithmetic<JetLanes4>.AddToValue(LaneArithmetic<JetLanes4>.Negate(ref a), c);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes4 operator *(JetLanes4 a, double c) => LaneArithmetic<JetLanes4>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes4 operator *(double c, JetLanes4 a) => LaneArithmetic<JetLanes4>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes4 operator /(JetLanes4 a, double c) => LaneArithmetic<JetLanes4>.DivideBy(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes4 operator /(double c, JetLanes4 a)
    {
        var numerator = Constant(c, a._order);
        return LaneArithmetic<JetLanes4>.Divide(ref numerator, ref a);
    }

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes4 Sin(JetLanes4 u) => u._order == FullOrder ? SinOrCosFull(ref u, wantSin: true) : JetLaneRules<JetLanes4>.Sin(u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes4 Cos(JetLanes4 u) => u._order == FullOrder ? SinOrCosFull(ref u, wantSin: false) : JetLaneRules<JetLanes4>.Cos(u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes4 Tan(JetLanes4 u) => JetLaneRules<JetLanes4>.Tan(u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes4 Exp(JetLanes4 u) => u._order == FullOrder ? ExpFull(ref u) : JetLaneRules<JetLanes4>.Exp(u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes4 Log(JetLanes4 u) => JetLaneRules<JetLanes4>.Log(u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes4 Sqrt(JetLanes4 u) => JetLaneRules<JetLanes4>.Sqrt(u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes4 Tanh(JetLanes4 u) => JetLaneRules<JetLanes4>.Tanh(u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes4 Sigmoid(JetLanes4 u) => JetLaneRules<JetLanes4>.Sigmoid(u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes4 Softplus(JetLanes4 u) => JetLaneRules<JetLanes4>.Softplus(u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes4 Erf(JetLanes4 u) => JetLaneRules<JetLanes4>.Erf(u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes4 Atan(JetLanes4 u) => JetLaneRules<JetLanes4>.Atan(u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes4 Pow(JetLanes4 u, double r) => JetLaneRules<JetLanes4>.Pow(u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes4 Pow(JetLanes4 u, JetLanes4 v) => JetLaneRules<JetLanes4>.Pow(u, v);

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes4 Abs(JetLanes4 u) => JetLaneRules<JetLanes4>.Abs(u);

    // ---- order 4 exactly (the executor's case for maxOrder 4): the generic rules unrolled, straight-line code
    // with constant indices (no loops, no bounds checks). The same operations in the same order as
    // LaneArithmetic<T>.Multiply and JetLaneRules<T>'s ChainCoefficient, so the numbers are bit-identical;
    // the only rewrites are exact ones: j·u_j with j = 1 is u_j, and s/k for k = 1, 2, 4 is s·1, s·0.5, s·0.25
    // (a product by a power of two rounds the same exact quotient).

    private const int FullOrder = Capacity - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 MultiplyFull(ref JetLanes4 a, ref JetLanes4 b)
    {
        var zero = Vector<double>.Zero;
        Vector<double> a0 = a._c[0], a1 = a._c[1], a2 = a._c[2], a3 = a._c[3], a4 = a._c[4];
        Vector<double> b0 = b._c[0], b1 = b._c[1], b2 = b._c[2], b3 = b._c[3], b4 = b._c[4];
        var r = Uninitialized(FullOrder);
        r._c[0] = zero + a0 * b0;
        r._c[1] = zero + a0 * b1 + a1 * b0;
        r._c[2] = zero + a0 * b2 + a1 * b1 + a2 * b0;
        r._c[3] = zero + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
        r._c[4] = zero + a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
        return r;
    }

    /// <summary>exp(u) at order 4: y_k = (Σ_{j=1..k} j·u_j·y_{k−j}) / k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 ExpFull(ref JetLanes4 u)
    {
        var zero = Vector<double>.Zero;
        var u1 = u._c[1];
        var u2 = new Vector<double>(2) * u._c[2];
        var u3 = new Vector<double>(3) * u._c[3];
        var u4 = new Vector<double>(4) * u._c[4];
        var y0 = VectorMath.Exp(u._c[0]);
        var y1 = zero + u1 * y0;
        var y2 = (zero + u1 * y1 + u2 * y0) * 0.5;
        var y3 = (zero + u1 * y2 + u2 * y1 + u3 * y0) / new Vector<double>(3);
        var y4 = (zero + u1 * y3 + u2 * y2 + u3 * y1 + u4 * y0) * 0.25;
        var y = Uninitialized(FullOrder);
        y._c[0] = y0;
        y._c[1] = y1;
        y._c[2] = y2;
        y._c[3] = y3;
        y._c[4] = y4;
        return y;
    }

    /// <summary>sin or cos of u at order 4, the two recurrences fused: s_k = Σ j·u_j·c_{k−j} / k, c_k = −Σ j·u_j·s_{k−j} / k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 SinOrCosFull(ref JetLanes4 u, bool wantSin)
    {
        var zero = Vector<double>.Zero;
        var u1 = u._c[1];
        var u2 = new Vector<double>(2) * u._c[2];
        var u3 = new Vector<double>(3) * u._c[3];
        var u4 = new Vector<double>(4) * u._c[4];
        VectorMath.SinCos(u._c[0], out var s0, out var c0);
        var s1 = zero + u1 * c0;
        var c1 = -(zero + u1 * s0);
        var s2 = (zero + u1 * c1 + u2 * c0) * 0.5;
        var c2 = -((zero + u1 * s1 + u2 * s0) * 0.5);
        var s3 = (zero + u1 * c2 + u2 * c1 + u3 * c0) / new Vector<double>(3);
        var c3 = -((zero + u1 * s2 + u2 * s1 + u3 * s0) / new Vector<double>(3));
        var y = Uninitialized(FullOrder);
        if (wantSin)
        {
            y._c[0] = s0;
            y._c[1] = s1;
            y._c[2] = s2;
            y._c[3] = s3;
            y._c[4] = (zero + u1 * c3 + u2 * c2 + u3 * c1 + u4 * c0) * 0.25;
        }
        else
        {
            y._c[0] = c0;
            y._c[1] = c1;
            y._c[2] = c2;
            y._c[3] = c3;
            y._c[4] = -((zero + u1 * s3 + u2 * s2 + u3 * s1 + u4 * s0) * 0.25);
        }

        return y;
    }
}
