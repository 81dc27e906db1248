using System.Numerics;
using System.Runtime.CompilerServices;
using TrainingDiagnostics.Kernels.Lanes;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// <see cref="Count"/> jets side by side, one per SIMD lane (<see cref="Vector{T}"/> of double): the same
/// truncated Taylor arithmetic as <see cref="Jet"/>, for <see cref="Count"/> points at once. CPU only (ILGPU
/// kernels cannot use it); see <see cref="ILaneFunction"/>.
/// </summary>
/// <remarks>
/// Same convention as <see cref="Jet"/>: normalized Taylor coefficients <c>f^(k)/k!</c>, orders 0..Order.
/// The Taylor recurrences run on whole vectors, in the same order of operations as <see cref="Jet"/>'s. The
/// values of exp, sin and cos come from vectorized polynomials within 2 ulp of <see cref="Math"/>'s (.NET 10's own
/// vector versions for double run at scalar speed), the other functions' values lane by lane from the same
/// <see cref="Math"/> calls as <see cref="Jet"/>; so lanes agree with <see cref="Jet"/> to rounding
/// (about 1e-15 relative). Lanes at domain edges (log or sqrt at 0, powers at 0, |u| at 0) are handed to
/// the scalar rule, so edge semantics are exactly <see cref="Jet"/>'s. For orders up to 4 the CPU executor uses
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

    // ---- storage (internal): what the generic rules in JetLaneRules<T> and LaneArithmetic<T> use

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

    // ---- arithmetic and elementary functions: the generic lane rules, the same operations as Jet's

    /// <inheritdoc cref="Jet.op_UnaryNegation(Jet)"/>
    public static JetLanes operator -(JetLanes a) => LaneArithmetic<JetLanes>.Negate(ref a);

    /// <inheritdoc cref="Jet.op_Addition(Jet, Jet)"/>
    public static JetLanes operator +(JetLanes a, JetLanes b) => LaneArithmetic<JetLanes>.Add(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, Jet)"/>
    public static JetLanes operator -(JetLanes a, JetLanes b) => LaneArithmetic<JetLanes>.Subtract(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, Jet)"/>
    public static JetLanes operator *(JetLanes a, JetLanes b) => LaneArithmetic<JetLanes>.Multiply(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Division(Jet, Jet)"/>
    public static JetLanes operator /(JetLanes a, JetLanes b) => LaneArithmetic<JetLanes>.Divide(ref a, ref b);

    /// <inheritdoc cref="Jet.op_Addition(Jet, double)"/>
    public static JetLanes operator +(JetLanes a, double c) => LaneArithmetic<JetLanes>.AddToValue(a, c);

    /// <inheritdoc cref="Jet.op_Addition(double, Jet)"/>
    public static JetLanes operator +(double c, JetLanes a) => LaneArithmetic<JetLanes>.AddToValue(a, c);

    /// <inheritdoc cref="Jet.op_Subtraction(Jet, double)"/>
    public static JetLanes operator -(JetLanes a, double c) => LaneArithmetic<JetLanes>.AddToValue(a, -c);

    /// <inheritdoc cref="Jet.op_Subtraction(double, Jet)"/>
    public static JetLanes operator -(double c, JetLanes a) => LaneArithmetic<JetLanes>.AddToValue(LaneArithmetic<JetLanes>.Negate(ref a), c);

    /// <inheritdoc cref="Jet.op_Multiply(Jet, double)"/>
    public static JetLanes operator *(JetLanes a, double c) => LaneArithmetic<JetLanes>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Multiply(double, Jet)"/>
    public static JetLanes operator *(double c, JetLanes a) => LaneArithmetic<JetLanes>.Scale(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(Jet, double)"/>
    public static JetLanes operator /(JetLanes a, double c) => LaneArithmetic<JetLanes>.DivideBy(ref a, c);

    /// <inheritdoc cref="Jet.op_Division(double, Jet)"/>
    public static JetLanes operator /(double c, JetLanes a)
    {
        var numerator = Constant(c, a._order);
        return LaneArithmetic<JetLanes>.Divide(ref numerator, ref a);
    }

    /// <inheritdoc cref="Jet.Sin(Jet)"/>
    public static JetLanes Sin(JetLanes u) => JetLaneRules<JetLanes>.Sin(u);

    /// <inheritdoc cref="Jet.Cos(Jet)"/>
    public static JetLanes Cos(JetLanes u) => JetLaneRules<JetLanes>.Cos(u);

    /// <inheritdoc cref="Jet.Tan(Jet)"/>
    public static JetLanes Tan(JetLanes u) => JetLaneRules<JetLanes>.Tan(u);

    /// <inheritdoc cref="Jet.Exp(Jet)"/>
    public static JetLanes Exp(JetLanes u) => JetLaneRules<JetLanes>.Exp(u);

    /// <inheritdoc cref="Jet.Log(Jet)"/>
    public static JetLanes Log(JetLanes u) => JetLaneRules<JetLanes>.Log(u);

    /// <inheritdoc cref="Jet.Sqrt(Jet)"/>
    public static JetLanes Sqrt(JetLanes u) => JetLaneRules<JetLanes>.Sqrt(u);

    /// <inheritdoc cref="Jet.Tanh(Jet)"/>
    public static JetLanes Tanh(JetLanes u) => JetLaneRules<JetLanes>.Tanh(u);

    /// <inheritdoc cref="Jet.Sigmoid(Jet)"/>
    public static JetLanes Sigmoid(JetLanes u) => JetLaneRules<JetLanes>.Sigmoid(u);

    /// <inheritdoc cref="Jet.Softplus(Jet)"/>
    public static JetLanes Softplus(JetLanes u) => JetLaneRules<JetLanes>.Softplus(u);

    /// <inheritdoc cref="Jet.Erf(Jet)"/>
    public static JetLanes Erf(JetLanes u) => JetLaneRules<JetLanes>.Erf(u);

    /// <inheritdoc cref="Jet.Atan(Jet)"/>
    public static JetLanes Atan(JetLanes u) => JetLaneRules<JetLanes>.Atan(u);

    /// <inheritdoc cref="Jet.Pow(Jet, double)"/>
    public static JetLanes Pow(JetLanes u, double r) => JetLaneRules<JetLanes>.Pow(u, r);

    /// <inheritdoc cref="Jet.Pow(Jet, Jet)"/>
    public static JetLanes Pow(JetLanes u, JetLanes v) => JetLaneRules<JetLanes>.Pow(u, v);

    /// <inheritdoc cref="Jet.Abs(Jet)"/>
    public static JetLanes Abs(JetLanes u) => JetLaneRules<JetLanes>.Abs(u);
}
