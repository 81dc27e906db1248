using System.Numerics;
using System.Runtime.CompilerServices;
using Rules = TrainingDiagnostics.Jets.TaylorRules<TrainingDiagnostics.Kernels.JetLanes, System.Numerics.Vector<double>, System.Numerics.Vector<long>, TrainingDiagnostics.Kernels.Lanes.LaneArithmetic<TrainingDiagnostics.Kernels.JetLanes>>;
using TrainingDiagnostics.Kernels.Lanes;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// <see cref="Count"/> jets side by side, one per SIMD lane (<see cref="Vector{T}"/> of double): the same
/// truncated Taylor arithmetic as <see cref="Jet"/>, for <see cref="Count"/> points at once. CPU only (ILGPU
/// kernels cannot use it); see <see cref="ILaneFunction"/>.
/// </summary>
/// <remarks>
/// Same convention as <see cref="Jet"/>: normalized Taylor coefficients <c>f^(k)/k!</c>, orders 0..Order.
/// The rules are <see cref="Jet"/>'s own (one rule set, <c>TaylorRules</c>), run on whole vectors. The
/// values of exp, sin and cos come from vectorized polynomials within 2 ulp of <see cref="Math"/>'s (.NET 10's own
/// vector versions for double run at scalar speed), the other functions' values lane by lane from the same
/// <see cref="Math"/> calls as <see cref="Jet"/>; so lanes agree with <see cref="Jet"/> to rounding
/// (about 1e-15 relative). The edges of the domains (log or sqrt at 0, powers at 0, |u| at 0) are decided lane
/// by lane by the same rules, so edge semantics are exactly <see cref="Jet"/>'s. For orders up to 4 the CPU executor uses
/// smaller internal lane jets with the very same rules (fewer bytes to copy per operation); their numbers are
/// bit-identical to this type's.
/// </remarks>
[SkipLocalsInit]
public struct JetLanes : IJet<JetLanes>, ILaneJet<JetLanes>
{
    private const int Capacity = Jet.MaxOrder + 1;

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

    static int ILaneJet<JetLanes>.MaxOrder => Capacity - 1;

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
    /// <param name="order">The truncation order, clamped into 0..<see cref="Jet.MaxOrder"/>.</param>
    public static JetLanes Variable(Vector<double> x, int order)
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
    /// <param name="order">The truncation order, clamped into 0..<see cref="Jet.MaxOrder"/>.</param>
    public static JetLanes Constant(Vector<double> c, int order)
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
    /// <param name="order">The truncation order, clamped into 0..<see cref="Jet.MaxOrder"/>.</param>
    public static JetLanes Constant(double c, int order) => Constant(new Vector<double>(c), order);

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

    internal static JetLanes Uninitialized(int order)
    {
        Unsafe.SkipInit(out JetLanes r);
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

    static JetLanes ILaneJet<JetLanes>.Uninitialized(int order) => Uninitialized(order);

    readonly Vector<double> ILaneJet<JetLanes>.At(int k) => _c[k];

    void ILaneJet<JetLanes>.Set(int k, Vector<double> value) => _c[k] = value;

    void ILaneJet<JetLanes>.SetLane(int lane, in Jet jet) => SetLane(lane, jet);

    // ---- arithmetic and elementary functions: Jet's rules (TaylorRules), on whole vectors

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes operator -(JetLanes a) => Rules.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes operator +(JetLanes a, JetLanes b) => Rules.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes operator -(JetLanes a, JetLanes b) => Rules.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes operator *(JetLanes a, JetLanes b) => Rules.Multiply(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes operator /(JetLanes a, JetLanes b) => Rules.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes operator +(JetLanes a, double c) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes operator +(double c, JetLanes a) => Rules.AddConstant(ref a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes operator -(JetLanes a, double c) => Rules.AddConstant(ref a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes operator -(double c, JetLanes a) => SubtractFromConstant(c, ref a);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes operator *(JetLanes a, double c) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes operator *(double c, JetLanes a) => Rules.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes operator /(JetLanes a, double c) => Rules.DivideByScalar(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes operator /(double c, JetLanes a)
        => Rules.DivideInto(c, ref a);

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes Sin(JetLanes u) => Rules.Sin(ref u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes Cos(JetLanes u) => Rules.Cos(ref u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes Tan(JetLanes u) => Rules.Tan(ref u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes Exp(JetLanes u) => Rules.Exp(ref u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes Log(JetLanes u) => Rules.Log(ref u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes Sqrt(JetLanes u) => Rules.Sqrt(ref u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes Tanh(JetLanes u) => Rules.Tanh(ref u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes Sigmoid(JetLanes u) => Rules.Sigmoid(ref u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes Softplus(JetLanes u) => Rules.Softplus(ref u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes Erf(JetLanes u) => Rules.Erf(ref u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes Atan(JetLanes u) => Rules.Atan(ref u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes Pow(JetLanes u, double r) => Rules.Pow(ref u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes Pow(JetLanes u, JetLanes v) => PowOfLanes(u, v);

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes Abs(JetLanes u) => Rules.Abs(ref u);

    private static JetLanes SubtractFromConstant(double c, ref JetLanes a)
    {
        var negated = Rules.Negate(ref a);
        return Rules.AddConstant(ref negated, c);
    }

    /// <summary>u^v: exp(v·log u) when every lane's exponent varies; a lane with a constant exponent takes Jet's route.</summary>
    private static JetLanes PowOfLanes(JetLanes u, JetLanes v)
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
