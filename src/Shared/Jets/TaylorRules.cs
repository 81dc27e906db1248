namespace TrainingDiagnostics.Jets;

/// <summary>
/// The Taylor rules, one small method per operation, written once for every jet type (the table of JAX's
/// <c>jet_rules</c>): the scalar jet of the kernels, the SIMD lane jets and the tensor jets of <c>Taylor.Forward</c>
/// are its instantiations. Every coefficient is normalized (<c>f^(k)/k!</c>).
/// </summary>
/// <remarks>
/// <para>Most rules come from one identity: if y' = g·u' then, comparing coefficients of t^(k−1),
/// <c>y_k = Σ_(j=1..k) (j/k)·u_j·g_(k−j)</c> (Griewank and Walther, <i>Evaluating Derivatives</i>, 2nd ed., §13.2,
/// Table 13.2). g may depend on y itself (exp, tan, tanh, sigmoid), in which case it is built coefficient by
/// coefficient alongside y. The weights j/k are folded into the products, so a tensor jet spends one fused
/// multiply-add per term and no division.</para>
/// <para><b>Edges</b> (the one behaviour of every instantiation, element by element): log has NaN coefficients of
/// order ≥ 1 where u_0 ≤ 0 (the value keeps log's −∞ at 0 and NaN below); √u and u^r at u_0 = 0 give the one-sided
/// limits for t → 0⁺ when u grows through 0 (0 below order r, ±∞ above), the constant 0^r when u is identically 0,
/// NaN otherwise; integer powers with |r| ≤ 2^20 (negative ones too) use products, exact and smooth at 0; r = 0 gives
/// the constant 1; |u| takes the sign of the first non-zero coefficient.</para>
/// <para>Everything here compiles in ILGPU kernels for the scalar jet: no allocation, no exceptions, no delegates.
/// Jets arrive by <c>ref</c>: through a generic constraint an <c>in</c> parameter would be copied defensively at every
/// call.</para>
/// </remarks>
/// <typeparam name="TJet">The jet type.</typeparam>
/// <typeparam name="TC">Its coefficient.</typeparam>
/// <typeparam name="TMask">Its element-wise condition.</typeparam>
/// <typeparam name="TOps">Its storage and coefficient arithmetic (a struct: every call is a static call ILGPU can compile).</typeparam>
internal abstract partial class TaylorRules<TJet, TC, TMask, TOps>
    where TOps : struct, ITaylorArithmetic<TJet, TC, TMask>
{
    // Not static only so that a jet type's own rule class can derive from it and offer these rules under its name
    // (Core's JetRules adds the tensor-only ones); nothing is ever instantiated.
    private protected TaylorRules()
    {
    }

    private const double TwoOverSqrtPi = 1.1283791670955126; // 2/√π

    // Integer powers up to this size use products (exact, smooth at 0); beyond it the recurrence is cheaper.
    private const double LargestProductPower = 1 << 20;

    // ---------------------------------------------------------------- linear

    /// <summary>−a, coefficient-wise.</summary>
    public static TJet Negate(ref TJet a)
    {
        var r = TOps.Create(TOps.OrderOf(ref a));
        for (int k = 0; k <= TOps.OrderOf(ref a); k++)
        {
            TOps.Set(ref r, k, TOps.Negate(TOps.At(ref a, k)));
        }

        return r;
    }

    /// <summary>a + b, coefficient-wise; the order is the smaller of the two.</summary>
    public static TJet Add(ref TJet a, ref TJet b)
    {
        var r = TOps.Create(Math.Min(TOps.OrderOf(ref a), TOps.OrderOf(ref b)));
        for (int k = 0; k <= TOps.OrderOf(ref r); k++)
        {
            TOps.Set(ref r, k, TOps.Add(TOps.At(ref a, k), TOps.At(ref b, k)));
        }

        return r;
    }

    /// <summary>a − b, coefficient-wise; the order is the smaller of the two.</summary>
    public static TJet Subtract(ref TJet a, ref TJet b)
    {
        var r = TOps.Create(Math.Min(TOps.OrderOf(ref a), TOps.OrderOf(ref b)));
        for (int k = 0; k <= TOps.OrderOf(ref r); k++)
        {
            TOps.Set(ref r, k, TOps.Subtract(TOps.At(ref a, k), TOps.At(ref b, k)));
        }

        return r;
    }

    /// <summary>a·c, coefficient-wise.</summary>
    public static TJet Scale(ref TJet a, double c)
    {
        var r = TOps.Create(TOps.OrderOf(ref a));
        for (int k = 0; k <= TOps.OrderOf(ref a); k++)
        {
            TOps.Set(ref r, k, TOps.Scale(TOps.At(ref a, k), c));
        }

        return r;
    }

    /// <summary>a / c, coefficient-wise.</summary>
    public static TJet DivideByScalar(ref TJet a, double c)
    {
        var r = TOps.Create(TOps.OrderOf(ref a));
        for (int k = 0; k <= TOps.OrderOf(ref a); k++)
        {
            TOps.Set(ref r, k, TOps.DivideByScalar(TOps.At(ref a, k), c));
        }

        return r;
    }

    /// <summary>a + c: only the value moves.</summary>
    public static TJet AddConstant(ref TJet a, TC c)
    {
        var r = TOps.Create(TOps.OrderOf(ref a));
        TOps.Set(ref r, 0, TOps.Add(TOps.At(ref a, 0), c));
        for (int k = 1; k <= TOps.OrderOf(ref a); k++)
        {
            TOps.Set(ref r, k, TOps.At(ref a, k));
        }

        return r;
    }

    /// <summary>a + c for a scalar c: only the value moves.</summary>
    public static TJet AddConstant(ref TJet a, double c)
    {
        var r = TOps.Create(TOps.OrderOf(ref a));
        TOps.Set(ref r, 0, TOps.AddScalar(TOps.At(ref a, 0), c));
        for (int k = 1; k <= TOps.OrderOf(ref a); k++)
        {
            TOps.Set(ref r, k, TOps.At(ref a, k));
        }

        return r;
    }

    /// <summary>The constant jet c (coefficients c, 0, 0, ...) of <paramref name="like"/>'s order and shape.</summary>
    public static TJet Constant(double c, ref TJet like)
    {
        var r = TOps.Create(TOps.OrderOf(ref like));
        var u0 = TOps.At(ref like, 0);
        TOps.Set(ref r, 0, TOps.Constant(c, u0));
        for (int k = 1; k <= TOps.OrderOf(ref like); k++)
        {
            TOps.Set(ref r, k, TOps.Constant(0, u0));
        }

        return r;
    }

    // ---------------------------------------------------------------- products and quotients

    /// <summary>Product by the Cauchy convolution <c>c_k = Σ_j a_j·b_(k−j)</c> (Leibniz's rule).</summary>
    public static TJet Multiply(ref TJet a, ref TJet b)
    {
        var r = TOps.Create(Math.Min(TOps.OrderOf(ref a), TOps.OrderOf(ref b)));
        for (int k = 0; k <= TOps.OrderOf(ref r); k++)
        {
            var s = TOps.Multiply(TOps.At(ref a, 0), TOps.At(ref b, k));
            for (int j = 1; j <= k; j++)
            {
                s = TOps.MultiplyAdd(s, TOps.At(ref a, j), TOps.At(ref b, k - j));
            }

            TOps.Set(ref r, k, s);
        }

        return r;
    }

    /// <summary>u²: the Cauchy convolution with its symmetric terms paired (about half the products).</summary>
    public static TJet Square(ref TJet u)
    {
        var r = TOps.Create(TOps.OrderOf(ref u));
        TOps.Set(ref r, 0, TOps.Multiply(TOps.At(ref u, 0), TOps.At(ref u, 0)));
        var twoU0 = TOps.OrderOf(ref u) >= 1 ? TOps.Scale(TOps.At(ref u, 0), 2) : TOps.At(ref u, 0);
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            TOps.Set(ref r, k, SelfCauchy(ref u, k, 1, twoU0));
        }

        return r;
    }

    /// <summary>Quotient by the recurrence <c>y_k = (a_k − Σ_(j&lt;k) y_j·b_(k−j)) / b_0</c>; b_0 = 0 gives a pole.</summary>
    public static TJet Divide(ref TJet a, ref TJet b)
    {
        var y = TOps.Create(Math.Min(TOps.OrderOf(ref a), TOps.OrderOf(ref b)));
        var b0 = TOps.At(ref b, 0);
        TOps.Set(ref y, 0, TOps.Divide(TOps.At(ref a, 0), b0));
        for (int k = 1; k <= TOps.OrderOf(ref y); k++)
        {
            var s = TOps.Multiply(TOps.At(ref y, 0), TOps.At(ref b, k));
            for (int j = 1; j < k; j++)
            {
                s = TOps.MultiplyAdd(s, TOps.At(ref y, j), TOps.At(ref b, k - j));
            }

            TOps.Set(ref y, k, TOps.DivideBy(TOps.SubtractFrom(s, TOps.At(ref a, k)), b0));
        }

        return y;
    }

    /// <summary>c / a for a scalar c.</summary>
    public static TJet DivideInto(double c, ref TJet a)
    {
        var numerator = Constant(c, ref a);
        return Divide(ref numerator, ref a);
    }

    // ---------------------------------------------------------------- the ODE rule: y' = g·u'

    /// <summary>y_k = Σ_(j=1..k) (j/k)·u_j·g_(k−j): the coefficient of y where y' = g·u' (k ≥ 1).</summary>
    public static TC ChainCoefficient(ref TJet u, ref TJet g, int k)
    {
        var s = TOps.Multiply(TOps.At(ref u, k), TOps.At(ref g, 0));
        for (int j = 1; j < k; j++)
        {
            s = TOps.MultiplyAdd(s, TOps.At(ref u, j), TOps.At(ref g, k - j), (double)j / k);
        }

        return s;
    }

    /// <summary>The jet y with y_0 = value and y' = g·u', for a g that does not depend on y.</summary>
    public static TJet Integrate(ref TJet u, ref TJet g, TC value)
    {
        var y = TOps.Create(Math.Min(TOps.OrderOf(ref u), TOps.OrderOf(ref g)));
        TOps.Set(ref y, 0, value);
        for (int k = 1; k <= TOps.OrderOf(ref y); k++)
        {
            TOps.Set(ref y, k, ChainCoefficient(ref u, ref g, k));
        }

        return y;
    }

    /// <summary>exp: y' = y·u'.</summary>
    public static TJet Exp(ref TJet u)
    {
        var y = TOps.Create(TOps.OrderOf(ref u));
        TOps.Set(ref y, 0, TOps.ExpOf(TOps.At(ref u, 0)));
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            TOps.Set(ref y, k, ChainCoefficient(ref u, ref y, k));
        }

        return y;
    }

    /// <summary>sin and cos together: s' = c·u', c' = −s·u'.</summary>
    public static void SinCos(ref TJet u, out TJet s, out TJet c)
    {
        s = TOps.Create(TOps.OrderOf(ref u));
        c = TOps.Create(TOps.OrderOf(ref u));
        TOps.SinCosOf(TOps.At(ref u, 0), out var s0, out var c0);
        TOps.Set(ref s, 0, s0);
        TOps.Set(ref c, 0, c0);
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            var sk = ChainCoefficient(ref u, ref c, k);
            var ck = TOps.Negate(ChainCoefficient(ref u, ref s, k));
            TOps.Set(ref s, k, sk);
            TOps.Set(ref c, k, ck);
        }
    }

    /// <summary>sin u.</summary>
    public static TJet Sin(ref TJet u)
    {
        SinCos(ref u, out var s, out _);
        return s;
    }

    /// <summary>cos u.</summary>
    public static TJet Cos(ref TJet u)
    {
        SinCos(ref u, out _, out var c);
        return c;
    }

    /// <summary>tan: y' = (1 + y²)·u'.</summary>
    public static TJet Tan(ref TJet u) => SquareLaw(ref u, TOps.TanOf(TOps.At(ref u, 0)), 1, 1, 0);

    /// <summary>tanh: y' = (1 − y²)·u'.</summary>
    public static TJet Tanh(ref TJet u) => SquareLaw(ref u, TOps.TanhOf(TOps.At(ref u, 0)), 1, -1, 0);

    /// <summary>sigmoid: y' = (y − y²)·u'.</summary>
    public static TJet Sigmoid(ref TJet u) => SquareLaw(ref u, TOps.SigmoidOf(TOps.At(ref u, 0)), 0, -1, 1);

    /// <summary>
    /// The jet y with y_0 = value and y' = w·u', w = a + linear·y + b·y²: the Riccati-type laws of tan, tanh and the
    /// sigmoid. w_k needs y only up to order k, and only w_0..w_(K−1) are ever read.
    /// </summary>
    private static TJet SquareLaw(ref TJet u, TC value, double a, double b, double linear)
    {
        var y = TOps.Create(TOps.OrderOf(ref u));
        var w = TOps.Create(TOps.OrderOf(ref u));
        TOps.Set(ref y, 0, value);
        var w0 = TOps.Scale(TOps.Multiply(value, value), b);
        if (linear != 0)
        {
            w0 = TOps.AddTo(w0, linear == 1 ? value : TOps.Scale(value, linear));
        }

        TOps.Set(ref w, 0, a == 0 ? w0 : TOps.AddScalar(w0, a));
        var twoBY0 = TOps.OrderOf(ref u) >= 2 ? TOps.Scale(value, 2 * b) : value;
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            TOps.Set(ref y, k, ChainCoefficient(ref u, ref w, k));
            if (k < TOps.OrderOf(ref u))
            {
                var wk = SelfCauchy(ref y, k, b, twoBY0);
                if (linear != 0)
                {
                    wk = TOps.AddTo(wk, linear == 1 ? TOps.At(ref y, k) : TOps.Scale(TOps.At(ref y, k), linear));
                }

                TOps.Set(ref w, k, wk);
            }
        }

        return y;
    }

    /// <summary>b·Σ_(j=0..k) a_j·a_(k−j) for k ≥ 1, the symmetric terms paired; <paramref name="twoBA0"/> is 2b·a_0.</summary>
    private static TC SelfCauchy(ref TJet a, int k, double b, TC twoBA0)
    {
        var s = TOps.Multiply(twoBA0, TOps.At(ref a, k));
        for (int j = 1; j < (k + 1) / 2; j++)
        {
            s = TOps.MultiplyAdd(s, TOps.At(ref a, j), TOps.At(ref a, k - j), 2 * b);
        }

        if (k % 2 == 0)
        {
            s = TOps.MultiplyAdd(s, TOps.At(ref a, k / 2), TOps.At(ref a, k / 2), b);
        }

        return s;
    }

    /// <summary>softplus: y' = σ(u)·u'.</summary>
    public static TJet Softplus(ref TJet u)
    {
        var g = Sigmoid(ref u);
        return Integrate(ref u, ref g, TOps.SoftplusOf(TOps.At(ref u, 0)));
    }

    /// <summary>erf: y' = (2/√π)·exp(−u²)·u'.</summary>
    public static TJet Erf(ref TJet u)
    {
        var square = Square(ref u);
        var minusSquare = Negate(ref square);
        var e = Exp(ref minusSquare);
        var g = Scale(ref e, TwoOverSqrtPi);
        return Integrate(ref u, ref g, TOps.ErfOf(TOps.At(ref u, 0)));
    }

    /// <summary>atan: y' = u' / (1 + u²).</summary>
    public static TJet Atan(ref TJet u)
    {
        var square = Square(ref u);
        var denominator = AddConstant(ref square, 1.0);
        var g = DivideInto(1, ref denominator);
        return Integrate(ref u, ref g, TOps.AtanOf(TOps.At(ref u, 0)));
    }

    // ---------------------------------------------------------------- rules with edges

    /// <summary>log: u·y' = u', so y_k = (u_k − Σ_(j=1..k−1) (j/k)·y_j·u_(k−j)) / u_0; NaN of order ≥ 1 where u_0 ≤ 0.</summary>
    public static TJet Log(ref TJet u)
    {
        var u0 = TOps.At(ref u, 0);
        var y = TOps.Create(TOps.OrderOf(ref u));
        TOps.Set(ref y, 0, TOps.LogOf(u0));
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            if (k == 1)
            {
                TOps.Set(ref y, 1, TOps.Divide(TOps.At(ref u, 1), u0));
                continue;
            }

            var s = TOps.Weighted(TOps.At(ref y, 1), TOps.At(ref u, k - 1), 1.0 / k);
            for (int j = 2; j < k; j++)
            {
                s = TOps.MultiplyAdd(s, TOps.At(ref y, j), TOps.At(ref u, k - j), (double)j / k);
            }

            TOps.Set(ref y, k, TOps.DivideBy(TOps.SubtractFrom(s, TOps.At(ref u, k)), u0));
        }

        // Non-positive (or NaN) arguments: the recurrence divided by 0 or gave values of a complex branch.
        var outside = TOps.Not(TOps.IsPositive(u0));
        if (TOps.OrderOf(ref u) >= 1 && TOps.MayHold(outside))
        {
            var nan = TOps.Constant(double.NaN, u0);
            for (int k = 1; k <= TOps.OrderOf(ref u); k++)
            {
                TOps.Set(ref y, k, TOps.Select(outside, nan, TOps.At(ref y, k)));
            }
        }

        return y;
    }

    /// <summary>√u: y² = u, so y_k = (u_k − Σ_(j=1..k−1) y_j·y_(k−j)) / (2·y_0); the one-sided limits at u_0 = 0.</summary>
    public static TJet Sqrt(ref TJet u)
    {
        var u0 = TOps.At(ref u, 0);
        var y = TOps.Create(TOps.OrderOf(ref u));
        var y0 = TOps.SqrtOf(u0);
        TOps.Set(ref y, 0, y0);
        var twoY0 = TOps.Scale(y0, 2);
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            if (k == 1)
            {
                TOps.Set(ref y, 1, TOps.Divide(TOps.At(ref u, 1), twoY0));
                continue;
            }

            var s = TOps.Multiply(TOps.At(ref y, 1), TOps.At(ref y, k - 1));
            for (int j = 2; j < k; j++)
            {
                s = TOps.MultiplyAdd(s, TOps.At(ref y, j), TOps.At(ref y, k - j));
            }

            TOps.Set(ref y, k, TOps.DivideBy(TOps.SubtractFrom(s, TOps.At(ref u, k)), twoY0));
        }

        return AtZero(ref u, ref y, 0.5);
    }

    /// <summary>
    /// u^r for a real exponent: r = 0 gives the constant 1; integers with |r| ≤ 2^20 go by products (and a reciprocal
    /// for negative ones); others by u·y' = r·y·u', that is y_k = Σ_(j=1..k) (((r+1)·j − k)/k)·u_j·y_(k−j) / u_0, with
    /// the one-sided limits at u_0 = 0.
    /// </summary>
    public static TJet Pow(ref TJet u, double r)
    {
        if (r == 0)
        {
            return Constant(1, ref u);
        }

        if (r == Math.Floor(r) && Math.Abs(r) <= LargestProductPower)
        {
            var p = IntegerPower(ref u, (int)Math.Abs(r));
            return r > 0 ? p : DivideInto(1, ref p);
        }

        if (r == 0.5)
        {
            return Sqrt(ref u);
        }

        var u0 = TOps.At(ref u, 0);
        var y = TOps.Create(TOps.OrderOf(ref u));
        TOps.Set(ref y, 0, TOps.PowOf(u0, r));
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            var s = TOps.Weighted(TOps.At(ref u, k), TOps.At(ref y, 0), r); // j = k: ((r+1)·k − k)/k = r
            for (int j = 1; j < k; j++)
            {
                s = TOps.MultiplyAdd(s, TOps.At(ref u, j), TOps.At(ref y, k - j), ((r + 1) * j - k) / k);
            }

            TOps.Set(ref y, k, TOps.DivideBy(s, u0));
        }

        return AtZero(ref u, ref y, r);
    }

    /// <summary>u^n for n ≥ 1 by binary powering: only Cauchy products, so exact on polynomial data.</summary>
    private static TJet IntegerPower(ref TJet u, int n)
    {
        var square = u;
        bool started = false;
        var result = square;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                result = started ? Multiply(ref result, ref square) : square;
                started = true;
            }

            n >>= 1;
            if (n > 0)
            {
                square = Square(ref square);
            }
        }

        return result;
    }

    /// <summary>
    /// y where u_0 ≠ 0, and u^r's one-sided series where u_0 = 0 (the recurrence divided by zero there). When u grows
    /// through 0 (u_1 &gt; 0), u^r ≈ (u_1·t)^r for t → 0⁺: coefficients of order below r vanish and those above r tend
    /// to ±∞ with the sign of r(r−1)…(r−k+1). An identically zero u gives the constant 0^r. Any other shape has no
    /// one-sided series here: NaN.
    /// </summary>
    private static TJet AtZero(ref TJet u, ref TJet y, double r)
    {
        var u0 = TOps.At(ref u, 0);
        var atZero = TOps.IsZero(u0);
        if (!TOps.MayHold(atZero))
        {
            return y;
        }

        TOps.Set(ref y, 0, TOps.Select(atZero, TOps.Constant(Math.Pow(0.0, r), u0), TOps.At(ref y, 0)));
        if (TOps.OrderOf(ref u) == 0)
        {
            return y;
        }

        var zero = TOps.IsZero(TOps.At(ref u, 1));
        for (int k = 2; k <= TOps.OrderOf(ref u); k++)
        {
            zero = TOps.And(zero, TOps.IsZero(TOps.At(ref u, k)));
        }

        var growing = TOps.IsPositive(TOps.At(ref u, 1));
        double falling = 1; // r(r−1)…(r−k+1)
        for (int k = 1; k <= TOps.OrderOf(ref u); k++)
        {
            falling *= r - (k - 1);
            double ifZero = r > 0 ? 0 : double.NaN;
            double ifGrowing = k < r ? 0 : falling > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            var limit = TOps.Select(zero, TOps.Constant(ifZero, u0), TOps.Select(growing, TOps.Constant(ifGrowing, u0), TOps.Constant(double.NaN, u0)));
            TOps.Set(ref y, k, TOps.Select(atZero, limit, TOps.At(ref y, k)));
        }

        return y;
    }

    /// <summary>u^v for a varying exponent: exp(v·log u), so u must be positive.</summary>
    public static TJet PowVarying(ref TJet u, ref TJet v)
    {
        var log = Log(ref u);
        var product = Multiply(ref v, ref log);
        return Exp(ref product);
    }

    /// <summary>|u| = sign·u, with the sign of the first non-zero coefficient (the series for t → 0⁺) where u_0 = 0.</summary>
    public static TJet Abs(ref TJet u)
    {
        var u0 = TOps.At(ref u, 0);
        var negative = TOps.IsNegative(u0);
        var decided = TOps.Not(TOps.IsZero(u0));
        var undecided = TOps.Not(decided);
        for (int k = 1; k <= TOps.OrderOf(ref u) && TOps.MayHold(undecided); k++)
        {
            var c = TOps.At(ref u, k);
            negative = TOps.Or(negative, TOps.And(undecided, TOps.IsNegative(c)));
            decided = TOps.Or(decided, TOps.Not(TOps.IsZero(c)));
            undecided = TOps.Not(decided);
        }

        var r = TOps.Create(TOps.OrderOf(ref u));
        for (int k = 0; k <= TOps.OrderOf(ref u); k++)
        {
            var c = TOps.At(ref u, k);
            TOps.Set(ref r, k, TOps.Select(negative, TOps.Negate(c), c));
        }

        return r;
    }
}
