using System.Globalization;
using System.Text;
using Rules = TrainingDiagnostics.Jets.TaylorRules<TrainingDiagnostics.Kernels.Jet, double, bool, TrainingDiagnostics.Kernels.JetArithmetic>;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// A truncated Taylor series ("jet") in double precision: the value and the derivatives of a quantity
/// along one direction, up to order <see cref="Order"/> (at most <see cref="MaxOrder"/>).
/// </summary>
/// <remarks>
/// <para><b>Convention.</b> A jet stores <i>normalized Taylor coefficients</i>:
/// <c>jet[k] = f^(k)(x0) / k!</c>, so <c>f(x0 + t) = Σ jet[k]·t^k + O(t^(Order+1))</c>. This is the form in
/// which the classical recurrences (Griewank and Walther, <i>Evaluating Derivatives</i>, ch. 13) are
/// written, and it keeps coefficients of moderate size at high orders. <see cref="Derivative(int)"/>
/// returns the true derivative <c>k!·jet[k]</c>; <see cref="PointwiseEngine.Derivatives{TFunction}(ReadOnlySpan{double}, int)"/>
/// returns true derivatives as well.</para>
/// <para><b>Cost.</b> Linear operations cost O(K) for K = Order + 1 coefficients; products, quotients and
/// every elementary function cost O(K²) (one convolution), at most 45 multiply-adds at order 8.</para>
/// <para><b>Kernels.</b> The struct is written so that ILGPU 1.5.3 compiles it inside kernels: the
/// coefficients live in a fixed buffer (an <c>[InlineArray]</c> does not compile there), no method
/// allocates or throws, and misuse yields NaN rather than an exception. Coefficients above
/// <see cref="Order"/> are unknown (the series is truncated) and read as NaN.</para>
/// <para><b>Orders.</b> A binary operation of jets of different orders has the smaller order: its
/// higher coefficients would depend on terms the other operand does not know.</para>
/// </remarks>
public unsafe struct Jet : IJet<Jet>
{
    /// <summary>The highest order a jet can carry (its buffer holds orders 0..8).</summary>
    public const int MaxOrder = 8;

    // Invariant: entries above _order are zero, so loops that run to MaxOrder stay harmless.
    private fixed double _c[MaxOrder + 1];
    private int _order;

    /// <summary>The truncation order: coefficients 0..Order are known.</summary>
    public readonly int Order => _order;

    /// <summary>The value f(x0), that is coefficient 0.</summary>
    public readonly double Value => _c[0];

    /// <summary>
    /// The normalized Taylor coefficient <c>f^(k)(x0)/k!</c>; NaN when <paramref name="k"/> is outside
    /// 0..<see cref="Order"/> (unknown beyond the truncation). O(1).
    /// </summary>
    /// <param name="k">The order of the coefficient.</param>
    public readonly double this[int k] => (uint)k <= (uint)_order ? _c[k] : double.NaN;

    /// <summary>
    /// The k-th derivative <c>f^(k)(x0) = k!·jet[k]</c>; NaN when <paramref name="k"/> is outside
    /// 0..<see cref="Order"/>. O(k).
    /// </summary>
    /// <param name="k">The order of the derivative.</param>
    public readonly double Derivative(int k)
    {
        double factorial = 1;
        for (int i = 2; i <= k; i++)
        {
            factorial *= i;
        }

        return this[k] * factorial;
    }

    /// <summary>
    /// The jet of the independent variable t ↦ x + t: coefficients (x, 1, 0, ...). Pushing it through f
    /// gives f's derivatives at x. An order outside 0..<see cref="MaxOrder"/> is clamped into that range.
    /// </summary>
    /// <param name="x">The point.</param>
    /// <param name="order">The truncation order, 0..<see cref="MaxOrder"/>.</param>
    public static Jet Variable(double x, int order)
    {
        var r = Constant(x, order);
        if (r._order >= 1)
        {
            r._c[1] = 1;
        }

        return r;
    }

    /// <summary>
    /// The jet of a constant: coefficients (c, 0, 0, ...). An order outside 0..<see cref="MaxOrder"/> is
    /// clamped into that range.
    /// </summary>
    /// <param name="c">The constant.</param>
    /// <param name="order">The truncation order, 0..<see cref="MaxOrder"/>.</param>
    public static Jet Constant(double c, int order)
    {
        Jet r = default;
        r._order = ClampOrder(order);
        r._c[0] = c;
        return r;
    }

    /// <summary>
    /// A jet with the given normalized Taylor coefficients (coefficient k = f^(k)/k!); its order is
    /// <c>coefficients.Length - 1</c>. Host code only (it validates and may throw); O(K).
    /// </summary>
    /// <param name="coefficients">1 to <see cref="MaxOrder"/> + 1 coefficients, lowest order first.</param>
    /// <exception cref="ArgumentException">The span is empty or longer than MaxOrder + 1.</exception>
    public static Jet FromCoefficients(ReadOnlySpan<double> coefficients)
    {
        if (coefficients.Length is < 1 or > MaxOrder + 1)
        {
            throw new ArgumentException(
                $"A jet holds 1 to {MaxOrder + 1} coefficients (orders 0..{MaxOrder}), but {coefficients.Length} came. " +
                "Pass the value first, then f'(x)/1!, f''(x)/2!, ... up to the order you need.",
                nameof(coefficients));
        }

        Jet r = default;
        r._order = coefficients.Length - 1;
        for (int k = 0; k < coefficients.Length; k++)
        {
            r._c[k] = coefficients[k];
        }

        return r;
    }

    /// <summary>Copies the coefficients 0..Order into a new array (host code; allocates).</summary>
    public readonly double[] ToArray()
    {
        var a = new double[_order + 1];
        for (int k = 0; k <= _order; k++)
        {
            a[k] = _c[k];
        }

        return a;
    }

    /// <summary>Writes the coefficients, for example <c>Jet[2](0.841, 0.540, -0.421)</c>.</summary>
    public override readonly string ToString()
    {
        var sb = new StringBuilder("Jet[").Append(_order).Append("](");
        for (int k = 0; k <= _order; k++)
        {
            if (k > 0)
            {
                sb.Append(", ");
            }

            sb.Append(_c[k].ToString("R", CultureInfo.InvariantCulture));
        }

        return sb.Append(')').ToString();
    }

    // ---- storage helpers for the rules (internal: the rules in TaylorRules build jets coefficient by coefficient)

    internal static int ClampOrder(int order) => order < 0 ? 0 : order > MaxOrder ? MaxOrder : order;

    internal static Jet Zero(int order)
    {
        Jet r = default;
        r._order = order;
        return r;
    }

    internal readonly double At(int k) => _c[k];

    internal void Set(int k, double value) => _c[k] = value;

    /// <summary>True when every coefficient of order 1..Order is zero (the jet is a constant).</summary>
    internal readonly bool IsConstant
    {
        get
        {
            for (int k = 1; k <= _order; k++)
            {
                if (_c[k] != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    // ---- arithmetic: linear operations coefficient-wise, products by the Cauchy convolution (the rules of TaylorRules)

    /// <summary>Returns the jet itself. O(1).</summary>
    /// <param name="a">The operand.</param>
    public static Jet operator +(Jet a) => a;

    /// <summary>Negation, coefficient-wise. O(K).</summary>
    /// <param name="a">The operand.</param>
    public static Jet operator -(Jet a) => Rules.Negate(ref a);

    /// <summary>Sum, coefficient-wise; the order is the smaller of the two. O(K).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Jet operator +(Jet a, Jet b) => Rules.Add(ref a, ref b);

    /// <summary>Difference, coefficient-wise; the order is the smaller of the two. O(K).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Jet operator -(Jet a, Jet b) => Rules.Subtract(ref a, ref b);

    /// <summary>Product by the Cauchy convolution <c>c_k = Σ_j a_j·b_(k-j)</c> (Leibniz's rule). O(K²).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    public static Jet operator *(Jet a, Jet b) => Rules.Multiply(ref a, ref b);

    /// <summary>
    /// Quotient by the recurrence <c>c_k = (a_k − Σ_(j&lt;k) c_j·b_(k-j)) / b_0</c>. A zero value of
    /// <paramref name="b"/> gives infinite or NaN coefficients, as the quotient has a pole. O(K²).
    /// </summary>
    /// <param name="a">The numerator.</param>
    /// <param name="b">The denominator.</param>
    public static Jet operator /(Jet a, Jet b) => Rules.Divide(ref a, ref b);

    /// <summary>Adds a constant to the value. O(K).</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The constant.</param>
    public static Jet operator +(Jet a, double c) => Rules.AddConstant(ref a, c);

    /// <summary>Adds a constant to the value. O(K).</summary>
    /// <param name="c">The constant.</param>
    /// <param name="a">The jet.</param>
    public static Jet operator +(double c, Jet a) => Rules.AddConstant(ref a, c);

    /// <summary>Subtracts a constant from the value. O(K).</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The constant.</param>
    public static Jet operator -(Jet a, double c) => Rules.AddConstant(ref a, -c);

    /// <summary>The constant minus the jet. O(K).</summary>
    /// <param name="c">The constant.</param>
    /// <param name="a">The jet.</param>
    public static Jet operator -(double c, Jet a)
    {
        var negated = Rules.Negate(ref a);
        return Rules.AddConstant(ref negated, c);
    }

    /// <summary>Scales every coefficient. O(K).</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The factor.</param>
    public static Jet operator *(Jet a, double c) => Rules.Scale(ref a, c);

    /// <summary>Scales every coefficient. O(K).</summary>
    /// <param name="c">The factor.</param>
    /// <param name="a">The jet.</param>
    public static Jet operator *(double c, Jet a) => Rules.Scale(ref a, c);

    /// <summary>Divides every coefficient by a constant. O(K).</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The divisor.</param>
    public static Jet operator /(Jet a, double c) => Rules.DivideByScalar(ref a, c);

    /// <summary>
    /// The constant divided by the jet (the reciprocal recurrence); a zero value of <paramref name="a"/>
    /// gives infinite or NaN coefficients. O(K²).
    /// </summary>
    /// <param name="c">The numerator.</param>
    /// <param name="a">The denominator.</param>
    public static Jet operator /(double c, Jet a) => Rules.DivideInto(c, ref a);

    // ---- elementary functions: each forwards to its rule in TaylorRules, where the recurrences are gathered

    /// <summary>sin(u), with cos(u) by the coupled recurrence. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Sin(Jet u) => Rules.Sin(ref u);

    /// <summary>cos(u), with sin(u) by the coupled recurrence. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Cos(Jet u) => Rules.Cos(ref u);

    /// <summary>tan(u), from tan' = 1 + tan². O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Tan(Jet u) => Rules.Tan(ref u);

    /// <summary>exp(u), from exp' = exp. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Exp(Jet u) => Rules.Exp(ref u);

    /// <summary>
    /// Natural logarithm. For a value ≤ 0 every coefficient of order ≥ 1 is NaN (the value keeps
    /// <see cref="Math.Log(double)"/>'s convention: −∞ at 0, NaN below). O(K²).
    /// </summary>
    /// <param name="u">The argument.</param>
    public static Jet Log(Jet u) => Rules.Log(ref u);

    /// <summary>
    /// Square root. At a value of 0 the value is 0; the higher coefficients are 0 when u is identically
    /// zero, the one-sided limits (±∞, alternating, as t → 0⁺) when u grows through 0, NaN otherwise.
    /// Negative values give NaN. O(K²).
    /// </summary>
    /// <param name="u">The argument.</param>
    public static Jet Sqrt(Jet u) => Rules.Sqrt(ref u);

    /// <summary>tanh(u), from tanh' = 1 − tanh² (so the k-th derivative is tanh's polynomial recurrence). O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Tanh(Jet u) => Rules.Tanh(ref u);

    /// <summary>The logistic sigmoid 1 / (1 + e^(−u)), from σ' = σ(1 − σ); overflow-safe for large |u|. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Sigmoid(Jet u) => Rules.Sigmoid(ref u);

    /// <summary>softplus(u) = log(1 + e^u), from softplus' = σ; overflow-safe for large |u|. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Softplus(Jet u) => Rules.Softplus(ref u);

    /// <summary>The error function, from erf' = (2/√π)·e^(−u²); the value is accurate to about 1e-15. O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Erf(Jet u) => Rules.Erf(ref u);

    /// <summary>atan(u), from atan' = 1 / (1 + u²). O(K²).</summary>
    /// <param name="u">The argument.</param>
    public static Jet Atan(Jet u) => Rules.Atan(ref u);

    /// <summary>
    /// u^r for a real exponent. Integer exponents use repeated products (exact for polynomials, smooth
    /// at u = 0: <c>Pow(x, 2)</c> at 0 is 0 with derivatives 0, 0, 2); r = 0 gives the constant 1;
    /// other exponents use the recurrence u·y' = r·y·u', with the one-sided limits at u = 0 (0 for orders
    /// below r, ±∞ above). O(K²), or O(K² log|r|) for integer r.
    /// </summary>
    /// <param name="u">The base.</param>
    /// <param name="r">The exponent.</param>
    public static Jet Pow(Jet u, double r) => Rules.Pow(ref u, r);

    /// <summary>
    /// u^v for a jet exponent: <c>exp(v·log u)</c>, so u must be positive; when v is a constant jet this
    /// is <see cref="Pow(Jet, double)"/> (which also accepts u ≤ 0 for integer exponents). O(K²).
    /// </summary>
    /// <param name="u">The base.</param>
    /// <param name="v">The exponent.</param>
    public static Jet Pow(Jet u, Jet v)
    {
        if (!v.IsConstant)
        {
            return Rules.PowVarying(ref u, ref v);
        }

        var p = Rules.Pow(ref u, v.At(0));
        if (p._order > v._order)
        {
            // A constant exponent known to a lower order than u: the result is known to that order only.
            for (int k = v._order + 1; k <= p._order; k++)
            {
                p._c[k] = 0;
            }

            p._order = v._order;
        }

        return p;
    }

    /// <summary>
    /// |u| = sign·u. At a value of 0 the sign is that of the first non-zero coefficient (the series for
    /// t → 0⁺), so |x| at 0 has derivative +1 and |x²| stays x². O(K).
    /// </summary>
    /// <param name="u">The argument.</param>
    public static Jet Abs(Jet u) => Rules.Abs(ref u);
}
