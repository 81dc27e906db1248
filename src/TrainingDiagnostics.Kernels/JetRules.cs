namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The Taylor rules, one small method per elementary function, gathered in one place (the table of
/// JAX's <c>jet_rules</c>). Every coefficient is normalized (<c>f^(k)/k!</c>).
/// </summary>
/// <remarks>
/// Most rules come from one identity: if y' = g·u' then, comparing coefficients of t^(k−1),
/// <c>y_k = (1/k)·Σ_(j=1..k) j·u_j·g_(k−j)</c> (Griewank and Walther, <i>Evaluating Derivatives</i>,
/// 2nd ed., §13.2, Table 13.2). g may depend on y itself (exp, tan, tanh, sigmoid), in which case it is
/// built coefficient by coefficient alongside y. Everything here must compile in ILGPU kernels: no
/// allocation, no exceptions, no arrays.
/// </remarks>
internal static class JetRules
{
    private const double TwoOverSqrtPi = 1.1283791670955126; // 2/√π

    /// <summary>y_k = (1/k)·Σ_(j=1..k) j·u_j·g_(k−j): the coefficient of y where y' = g·u'.</summary>
    private static double ChainCoefficient(in Jet u, in Jet g, int k)
    {
        double s = 0;
        for (int j = 1; j <= k; j++)
        {
            s += j * u.At(j) * g.At(k - j);
        }

        return s / k;
    }

    /// <summary>The jet y with y_0 = value and y' = g·u', for a g that does not depend on y.</summary>
    private static Jet Integrate(in Jet u, in Jet g, double value)
    {
        int order = Math.Min(u.Order, g.Order);
        var y = Jet.Zero(order);
        y.Set(0, value);
        for (int k = 1; k <= order; k++)
        {
            y.Set(k, ChainCoefficient(u, g, k));
        }

        return y;
    }

    // exp: y' = y·u'
    public static Jet Exp(Jet u)
    {
        var y = Jet.Zero(u.Order);
        y.Set(0, Math.Exp(u.At(0)));
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(u, y, k));
        }

        return y;
    }

    // sin and cos together: s' = c·u', c' = −s·u'
    private static void SinCos(in Jet u, out Jet s, out Jet c)
    {
        s = Jet.Zero(u.Order);
        c = Jet.Zero(u.Order);
        s.Set(0, Math.Sin(u.At(0)));
        c.Set(0, Math.Cos(u.At(0)));
        for (int k = 1; k <= u.Order; k++)
        {
            double sk = ChainCoefficient(u, c, k);
            double ck = -ChainCoefficient(u, s, k);
            s.Set(k, sk);
            c.Set(k, ck);
        }
    }

    public static Jet Sin(Jet u)
    {
        SinCos(u, out var s, out _);
        return s;
    }

    public static Jet Cos(Jet u)
    {
        SinCos(u, out _, out var c);
        return c;
    }

    // tan: y' = (1 + y²)·u'; w = 1 + y² is known to order m once y is known to order m.
    public static Jet Tan(Jet u) => SquareLaw(u, Math.Tan(u.At(0)), 1, 1);

    // tanh: y' = (1 − y²)·u'
    public static Jet Tanh(Jet u) => SquareLaw(u, Math.Tanh(u.At(0)), 1, -1);

    // sigmoid: y' = (y − y²)·u'
    public static Jet Sigmoid(Jet u) => SquareLaw(u, ScalarMath.Sigmoid(u.At(0)), 0, -1, linear: 1);

    /// <summary>
    /// The jet y with y_0 = value and y' = (a + linear·y + b·y²)·u': the Riccati-type laws of tan, tanh and
    /// the sigmoid. w = a + linear·y + b·y² needs y only up to the order being formed.
    /// </summary>
    private static Jet SquareLaw(in Jet u, double value, double a, double b, double linear = 0)
    {
        var y = Jet.Zero(u.Order);
        var w = Jet.Zero(u.Order);
        y.Set(0, value);
        w.Set(0, a + linear * value + b * value * value);
        for (int k = 1; k <= u.Order; k++)
        {
            y.Set(k, ChainCoefficient(u, w, k));
            double square = 0;
            for (int i = 0; i <= k; i++)
            {
                square += y.At(i) * y.At(k - i);
            }

            w.Set(k, linear * y.At(k) + b * square);
        }

        return y;
    }

    // softplus: y' = σ(u)·u'
    public static Jet Softplus(Jet u) => Integrate(u, Sigmoid(u), ScalarMath.Softplus(u.At(0)));

    // erf: y' = (2/√π)·exp(−u²)·u'
    public static Jet Erf(Jet u) => Integrate(u, Exp(-(u * u)) * TwoOverSqrtPi, ScalarMath.Erf(u.At(0)));

    // atan: y' = u' / (1 + u²)
    public static Jet Atan(Jet u) => Integrate(u, 1.0 / (u * u + 1.0), Math.Atan(u.At(0)));

    // log: u·y' = u', so y_k = (u_k − (1/k)·Σ_(j=1..k−1) j·y_j·u_(k−j)) / u_0.
    public static Jet Log(Jet u)
    {
        double u0 = u.At(0);
        var y = Jet.Zero(u.Order);
        y.Set(0, Math.Log(u0));
        for (int k = 1; k <= u.Order; k++)
        {
            if (!(u0 > 0))
            {
                // Non-positive (or NaN) argument: the recurrence would divide by 0 or produce values of a
                // complex branch; say "undefined" plainly.
                y.Set(k, double.NaN);
                continue;
            }

            double s = 0;
            for (int j = 1; j < k; j++)
            {
                s += j * y.At(j) * u.At(k - j);
            }

            y.Set(k, (u.At(k) - s / k) / u0);
        }

        return y;
    }

    // sqrt: y² = u, so y_k = (u_k − Σ_(j=1..k−1) y_j·y_(k−j)) / (2·y_0).
    public static Jet Sqrt(Jet u)
    {
        if (u.At(0) == 0)
        {
            return PowAtZero(u, 0.5);
        }

        var y = Jet.Zero(u.Order);
        double y0 = Math.Sqrt(u.At(0));
        y.Set(0, y0);
        for (int k = 1; k <= u.Order; k++)
        {
            double s = u.At(k);
            for (int j = 1; j < k; j++)
            {
                s -= y.At(j) * y.At(k - j);
            }

            y.Set(k, s / (2 * y0));
        }

        return y;
    }

    // Integer powers up to this size use products (exact, smooth at 0); beyond it the recurrence is cheaper.
    private const double LargestProductPower = 1 << 20;

    public static Jet Pow(Jet u, double r)
    {
        if (r == 0)
        {
            return Jet.Constant(1, u.Order);
        }

        if (r == Math.Floor(r) && Math.Abs(r) <= LargestProductPower)
        {
            var p = IntegerPower(u, (int)Math.Abs(r));
            return r > 0 ? p : 1.0 / p;
        }

        if (r == 0.5)
        {
            return Sqrt(u);
        }

        if (u.At(0) == 0)
        {
            return PowAtZero(u, r);
        }

        // u·y' = r·y·u' gives u_0·k·y_k = Σ_(j=1..k) ((r+1)·j − k)·u_j·y_(k−j).
        double u0 = u.At(0);
        var y = Jet.Zero(u.Order);
        y.Set(0, Math.Pow(u0, r));
        for (int k = 1; k <= u.Order; k++)
        {
            double s = 0;
            for (int j = 1; j <= k; j++)
            {
                s += ((r + 1) * j - k) * u.At(j) * y.At(k - j);
            }

            y.Set(k, s / (k * u0));
        }

        return y;
    }

    /// <summary>u^n for n ≥ 1 by binary powering: only Cauchy products, so exact on polynomial data.</summary>
    private static Jet IntegerPower(in Jet u, int n)
    {
        var result = Jet.Constant(1, u.Order);
        var square = u;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                result *= square;
            }

            n >>= 1;
            if (n > 0)
            {
                square *= square;
            }
        }

        return result;
    }

    /// <summary>
    /// u^r at u_0 = 0 for a non-integer r, where the recurrence would divide by zero. When u grows through
    /// 0 (u_1 &gt; 0), u^r ≈ (u_1·t)^r for t → 0⁺: coefficients of order below r vanish and those above r
    /// tend to ±∞ with the sign of r(r−1)…(r−k+1). An identically zero u gives the constant 0^r. Any other
    /// shape has no one-sided series here: NaN.
    /// </summary>
    private static Jet PowAtZero(in Jet u, double r)
    {
        var y = Jet.Zero(u.Order);
        y.Set(0, Math.Pow(0.0, r));
        bool zero = u.IsConstant;
        double falling = 1; // r(r−1)…(r−k+1)
        for (int k = 1; k <= u.Order; k++)
        {
            falling *= r - (k - 1);
            double coefficient;
            if (zero)
            {
                coefficient = r > 0 ? 0 : double.NaN;
            }
            else if (u.At(1) > 0)
            {
                coefficient = k < r ? 0 : falling > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            }
            else
            {
                coefficient = double.NaN;
            }

            y.Set(k, coefficient);
        }

        return y;
    }

    public static Jet Pow(Jet u, Jet v)
    {
        int order = Math.Min(u.Order, v.Order);
        if (v.IsConstant)
        {
            var p = Pow(u, v.At(0));
            return p.Order > order ? Truncate(p, order) : p;
        }

        return Exp(v * Log(u));
    }

    // |u| = sign·u, with the sign of the leading non-zero coefficient (the series for t → 0⁺) at u_0 = 0.
    public static Jet Abs(Jet u)
    {
        for (int k = 0; k <= u.Order; k++)
        {
            double c = u.At(k);
            if (c != 0)
            {
                return c < 0 ? -u : u;
            }
        }

        return u;
    }

    private static Jet Truncate(in Jet u, int order)
    {
        var r = Jet.Zero(order);
        for (int k = 0; k <= order; k++)
        {
            r.Set(k, u.At(k));
        }

        return r;
    }
}
