using System.Numerics;
using System.Runtime.CompilerServices;
using Rules = TrainingDiagnostics.Jets.TaylorRules<TrainingDiagnostics.Kernels.Lanes.JetLanes1, System.Numerics.Vector<double>, System.Numerics.Vector<long>, TrainingDiagnostics.Kernels.Lanes.LaneArithmetic<TrainingDiagnostics.Kernels.Lanes.JetLanes1>>;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// <see cref="JetLanes"/> with room for orders 0..1 only: the same rules (<c>TaylorRules</c>, through
/// <see cref="LaneArithmetic{TLanes}"/>) on 2 coefficient vectors instead of 9, so that every struct copy (each
/// operator argument and result) moves 2 vectors; the CPU executor uses it for orders up to 1. Its
/// numbers are bit-identical to <see cref="JetLanes"/>'s.
/// </summary>
[SkipLocalsInit]
internal struct JetLanes1 : IJet<JetLanes1>, ILaneJet<JetLanes1>
{
    private const int Capacity = 2;

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

    static int ILaneJet<JetLanes1>.MaxOrder => Capacity - 1;

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
    /// <param name="order">The truncation order, clamped into 0..1.</param>
    public static JetLanes1 Variable(Vector<double> x, int order)
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
    /// <param name="order">The truncation order, clamped into 0..1.</param>
    public static JetLanes1 Constant(Vector<double> c, int order)
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
    /// <param name="order">The truncation order, clamped into 0..1.</param>
    public static JetLanes1 Constant(double c, int order) => Constant(new Vector<double>(c), order);

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

    internal static JetLanes1 Uninitialized(int order)
    {
        Unsafe.SkipInit(out JetLanes1 r);
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

    static JetLanes1 ILaneJet<JetLanes1>.Uninitialized(int order) => Uninitialized(order);

    readonly Vector<double> ILaneJet<JetLanes1>.At(int k) => _c[k];

    void ILaneJet<JetLanes1>.Set(int k, Vector<double> value) => _c[k] = value;

    void ILaneJet<JetLanes1>.SetLane(int lane, in Jet jet) => SetLane(lane, jet);

    // ---- arithmetic and elementary functions: Jet's rules (TaylorRules), on whole vectors

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes1 operator -(JetLanes1 a) => Rules.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes1 operator +(JetLanes1 a, JetLanes1 b) => Rules.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes1 operator -(JetLanes1 a, JetLanes1 b) => Rules.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes1 operator *(JetLanes1 a, JetLanes1 b) => Rules.Multiply(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes1 operator /(JetLanes1 a, JetLanes1 b) => Rules.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes1 operator +(JetLanes1 a, double c) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes1 operator +(double c, JetLanes1 a) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes1 operator -(JetLanes1 a, double c) => Rules.AddConstant(ref a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes1 operator -(double c, JetLanes1 a) => SubtractFromConstant(c, ref a);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes1 operator *(JetLanes1 a, double c) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes1 operator *(double c, JetLanes1 a) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes1 operator /(JetLanes1 a, double c) => Rules.DivideByScalar(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes1 operator /(double c, JetLanes1 a)
        => Rules.DivideInto(c, ref a);

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes1 Sin(JetLanes1 u) => Rules.Sin(ref u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes1 Cos(JetLanes1 u) => Rules.Cos(ref u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes1 Tan(JetLanes1 u) => Rules.Tan(ref u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes1 Exp(JetLanes1 u) => Rules.Exp(ref u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes1 Log(JetLanes1 u) => Rules.Log(ref u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes1 Sqrt(JetLanes1 u) => Rules.Sqrt(ref u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes1 Tanh(JetLanes1 u) => Rules.Tanh(ref u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes1 Sigmoid(JetLanes1 u) => Rules.Sigmoid(ref u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes1 Softplus(JetLanes1 u) => Rules.Softplus(ref u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes1 Erf(JetLanes1 u) => Rules.Erf(ref u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes1 Atan(JetLanes1 u) => Rules.Atan(ref u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes1 Pow(JetLanes1 u, double r) => Rules.Pow(ref u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes1 Pow(JetLanes1 u, JetLanes1 v) => PowOfLanes(u, v);

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes1 Abs(JetLanes1 u) => Rules.Abs(ref u);

    private static JetLanes1 SubtractFromConstant(double c, ref JetLanes1 a)
    {
        var negated = Rules.Negate(ref a);
        return Rules.AddConstant(ref negated, c);
    }

    /// <summary>u^v: exp(v·log u) when every lane's exponent varies; a lane with a constant exponent takes Jet's route.</summary>
    private static JetLanes1 PowOfLanes(JetLanes1 u, JetLanes1 v)
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
}
