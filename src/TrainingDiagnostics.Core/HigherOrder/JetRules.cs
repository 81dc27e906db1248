using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The Taylor-mode rule table: one small rule per operation, propagating a <see cref="TensorJet"/> (Taylor coefficients
/// u_0..u_K of the input) to the jet of the output. The recurrences are those of Griewank and Walther, "Evaluating
/// Derivatives" (2nd ed., 2008), chapter 13, table 13.2, written with y = f(u):
/// <list type="bullet">
/// <item>products (Cauchy): (uw)_k = Σ_{j=0..k} u_j w_{k-j};</item>
/// <item>quotients: y_k = (u_k - Σ_{j=0..k-1} y_j w_{k-j}) / w_0;</item>
/// <item>the ODE rule for f with f'(u) = g(u), g's jet known up to k-1 when y_k is due: y_k = (1/k) Σ_{j=1..k} j u_j g_{k-j}
/// (exp: g = y; tanh: g = 1 - y²; sigmoid: g = y - y²; sin/cos: g = ±cos/sin; softplus: g = sigmoid(u));</item>
/// <item>log: y_k = (u_k - (1/k) Σ_{j=1..k-1} j y_j u_{k-j}) / u_0; sqrt: y_k = (u_k - Σ_{j=1..k-1} y_j y_{k-j}) / (2 y_0);
/// real powers: y_k = (1/(k u_0)) Σ_{j=0..k-1} (r(k-j) - j) u_{k-j} y_j (integer powers by products, exact at u_0 = 0);</item>
/// <item>linear operations (add, scale, sum, mean, a linear layer's matmul) act on every coefficient; piecewise-linear ones
/// (relu, leaky relu) multiply every coefficient by the slope at u_0.</item>
/// </list>
/// Costs: a rule of order K takes O(K²) elementwise tensor operations (O(K) for linear rules).
/// </summary>
internal static class JetRules
{
    // ---------------------------------------------------------------- linear

    public static TensorJet Add(TensorJet a, TensorJet b) => Zip(a, b, (x, y) => x + y);

    public static TensorJet Subtract(TensorJet a, TensorJet b) => Zip(a, b, (x, y) => x - y);

    public static TensorJet Scale(TensorJet a, double s) => a.Map(c => c * s);

    /// <summary>a + constant: only the value moves.</summary>
    public static TensorJet AddConstant(TensorJet a, Tensor constant)
    {
        var c = (Tensor[])a.C.Clone();
        c[0] = c[0] + constant;
        return new TensorJet(c);
    }

    public static TensorJet Sum(TensorJet a) => a.Map(c => c.sum());

    public static TensorJet Sum(TensorJet a, long dim, bool keepDim = false) => a.Map(c => c.sum(dim, keepDim));

    public static TensorJet Mean(TensorJet a) => a.Map(c => c.mean());

    public static TensorJet Mean(TensorJet a, long dim, bool keepDim = false) => a.Map(c => c.mean(new[] { dim }, keepDim));

    /// <summary>y = u Wᵀ + b: the bias enters the value only.</summary>
    public static TensorJet Linear(TensorJet u, Tensor weight, Tensor? bias)
    {
        var c = new Tensor[u.C.Length];
        c[0] = nn.functional.linear(u.C[0], weight, bias);
        for (int k = 1; k <= u.Order; k++)
            c[k] = nn.functional.linear(u.C[k], weight);
        return new TensorJet(c);
    }

    // ---------------------------------------------------------------- products and quotients

    public static TensorJet Multiply(TensorJet a, TensorJet b)
    {
        CheckOrders(a, b);
        var c = new Tensor[a.C.Length];
        for (int k = 0; k < c.Length; k++)
            c[k] = Cauchy(a.C, b.C, k);
        return new TensorJet(c);
    }

    public static TensorJet Square(TensorJet u)
    {
        var c = new Tensor[u.C.Length];
        for (int k = 0; k < c.Length; k++)
            c[k] = SelfCauchy(u.C, k);
        return new TensorJet(c);
    }

    public static TensorJet Divide(TensorJet u, TensorJet w)
    {
        CheckOrders(u, w);
        var y = new Tensor[u.C.Length];
        var w0 = w.C[0];
        y[0] = u.C[0] / w0;
        for (int k = 1; k < y.Length; k++)
            y[k] = PartialCauchy(y, w.C, k, from: 0).neg_().add_(u.C[k]).div_(w0);
        return new TensorJet(y);
    }

    // ---------------------------------------------------------------- elementary functions (the ODE rule)

    public static TensorJet Exp(TensorJet u)
    {
        var y = new Tensor[u.C.Length];
        y[0] = u.C[0].exp();
        for (int k = 1; k < y.Length; k++)
            y[k] = OdeTerm(u.C, y, k);
        return new TensorJet(y);
    }

    public static TensorJet Log(TensorJet u)
    {
        var y = new Tensor[u.C.Length];
        var u0 = u.C[0];
        y[0] = u0.log();
        for (int k = 1; k < y.Length; k++)
            y[k] = k == 1 ? u.C[1] / u0 : PartialCauchy(y, u.C, k, from: 1, j => (double)j / k).neg_().add_(u.C[k]).div_(u0);
        return new TensorJet(y);
    }

    /// <summary>sin and cos together: each one's derivative is the other (up to sign).</summary>
    public static (TensorJet Sin, TensorJet Cos) SinCos(TensorJet u)
    {
        var s = new Tensor[u.C.Length];
        var c = new Tensor[u.C.Length];
        s[0] = u.C[0].sin();
        c[0] = u.C[0].cos();
        for (int k = 1; k < s.Length; k++)
        {
            s[k] = OdeTerm(u.C, c, k);
            c[k] = OdeTerm(u.C, s, k).neg_();
        }
        return (new TensorJet(s), new TensorJet(c));
    }

    public static TensorJet Sin(TensorJet u) => SinCos(u).Sin;

    public static TensorJet Cos(TensorJet u) => SinCos(u).Cos;

    /// <summary>tanh' = 1 - tanh²: g = 1 - y², its coefficients from y's.</summary>
    public static TensorJet Tanh(TensorJet u)
    {
        var y = new Tensor[u.C.Length];
        var g = new Tensor[u.C.Length];
        y[0] = u.C[0].tanh();
        g[0] = 1 - y[0] * y[0];
        var minusTwoY0 = u.Order > 1 ? y[0] * -2.0 : null;
        for (int k = 1; k < y.Length; k++)
        {
            y[k] = OdeTerm(u.C, g, k);
            if (k < u.Order)
                g[k] = MinusSelfCauchy(y, minusTwoY0!, k);
        }
        return new TensorJet(y);
    }

    /// <summary>sigmoid' = sigmoid - sigmoid²: g = y - y².</summary>
    public static TensorJet Sigmoid(TensorJet u)
    {
        var y = new Tensor[u.C.Length];
        var g = new Tensor[u.C.Length];
        y[0] = u.C[0].sigmoid();
        g[0] = y[0] - y[0] * y[0];
        var minusTwoY0 = u.Order > 1 ? y[0] * -2.0 : null;
        for (int k = 1; k < y.Length; k++)
        {
            y[k] = OdeTerm(u.C, g, k);
            if (k < u.Order)
                g[k] = MinusSelfCauchy(y, minusTwoY0!, k).add_(y[k]);
        }
        return new TensorJet(y);
    }

    /// <summary>
    /// softplus(u) = log(1 + exp(βu))/β, whose derivative is sigmoid(βu); linear (y = u) where βu_0 > threshold, as
    /// TorchSharp's Softplus computes it.
    /// </summary>
    public static TensorJet Softplus(TensorJet u, double beta = 1, double threshold = 20)
    {
        var g = Sigmoid(Scale(u, beta)).C;
        var y = new Tensor[u.C.Length];
        y[0] = nn.functional.softplus(u.C[0], beta, threshold);
        var linear = u.C[0] * beta > threshold;
        for (int k = 1; k < y.Length; k++)
            y[k] = where(linear, u.C[k], OdeTerm(u.C, g, k));
        return new TensorJet(y);
    }

    public static TensorJet Sqrt(TensorJet u)
    {
        var y = new Tensor[u.C.Length];
        y[0] = u.C[0].sqrt();
        var twice = 2 * y[0];
        for (int k = 1; k < y.Length; k++)
            y[k] = k == 1 ? u.C[1] / twice : PartialCauchy(y, y, k, from: 1).neg_().add_(u.C[k]).div_(twice);
        return new TensorJet(y);
    }

    /// <summary>u^r. Non-negative integer powers by repeated products (exact where u_0 = 0, where the real-power recurrence divides by zero).</summary>
    public static TensorJet Pow(TensorJet u, double r)
    {
        if (r == Math.Floor(r) && r >= 0 && r <= 64)
            return IntegerPow(u, (int)r);
        var y = new Tensor[u.C.Length];
        var u0 = u.C[0];
        y[0] = u0.pow(r);
        for (int k = 1; k < y.Length; k++)
        {
            Tensor? sum = null;
            for (int j = 0; j < k; j++)
            {
                var term = u.C[k - j] * y[j] * (r * (k - j) - j);
                sum = sum is null ? term : sum + term;
            }
            y[k] = sum! / (u0 * k);
        }
        return new TensorJet(y);
    }

    // ---------------------------------------------------------------- piecewise linear

    /// <summary>relu: every coefficient times the slope at u_0 (0 at u_0 = 0, as libtorch's derivative).</summary>
    public static TensorJet Relu(TensorJet u)
    {
        var slope = (u.C[0] > 0).to(u.C[0].dtype);
        return new TensorJet(u.C.Select((c, k) => k == 0 ? c.relu() : c * slope).ToArray());
    }

    public static TensorJet LeakyRelu(TensorJet u, double negativeSlope)
    {
        var positive = u.C[0] > 0;
        var slope = where(positive, ones_like(u.C[0]), full_like(u.C[0], negativeSlope));
        return new TensorJet(u.C.Select(c => c * slope).ToArray());
    }

    /// <summary>silu(u) = u·sigmoid(u).</summary>
    public static TensorJet Silu(TensorJet u) => Multiply(u, Sigmoid(u));

    // ---------------------------------------------------------------- helpers

    /// <summary>(1/k) Σ_{j=1..k} j u_j g_{k-j}: the k-th coefficient of y with y' = g·u'.</summary>
    private static Tensor OdeTerm(Tensor[] u, Tensor[] g, int k)
    {
        // One fused multiply-add per term (addcmul_ on the fresh accumulator): the rules are bound by the number of
        // tensor operations, not by arithmetic, at the sizes of a network's activations.
        var sum = u[k] * g[0];
        for (int j = 1; j < k; j++)
            sum.addcmul_(u[j], g[k - j], (double)j / k);
        return sum;
    }

    /// <summary>Σ_{j=0..k} a_j b_{k-j}.</summary>
    private static Tensor Cauchy(Tensor[] a, Tensor[] b, int k)
    {
        var sum = a[0] * b[k];
        for (int j = 1; j <= k; j++)
            sum.addcmul_(a[j], b[k - j], 1);
        return sum;
    }

    /// <summary>Σ_{j=from..k-1} a_j b_{k-j} (k > from), as a fresh tensor.</summary>
    private static Tensor PartialCauchy(Tensor[] a, Tensor[] b, int k, int from, Func<int, double>? weight = null)
    {
        var sum = a[from] * b[k - from];
        if (weight is not null)
            sum.mul_(weight(from));
        for (int j = from + 1; j < k; j++)
            sum.addcmul_(a[j], b[k - j], weight is null ? 1.0 : weight(j));
        return sum;
    }

    /// <summary>Σ_{j=0..k} a_j a_{k-j}, using the symmetry of the terms (about half the products).</summary>
    /// <summary>-Σ_{j=0..k} a_j a_{k-j} for k >= 1, given -2a_0: the sign and the symmetry folded into the weights.</summary>
    private static Tensor MinusSelfCauchy(Tensor[] a, Tensor minusTwoA0, int k)
    {
        var sum = minusTwoA0 * a[k];
        for (int j = 1; j < (k + 1) / 2; j++)
            sum.addcmul_(a[j], a[k - j], -2.0);
        if (k % 2 == 0)
            sum.addcmul_(a[k / 2], a[k / 2], -1.0);
        return sum;
    }

    private static Tensor SelfCauchy(Tensor[] a, int k)
    {
        if (k == 0)
            return a[0] * a[0];
        var sum = a[0] * a[k];
        for (int j = 1; j < (k + 1) / 2; j++)
            sum.addcmul_(a[j], a[k - j], 1);
        sum.mul_(2);
        if (k % 2 == 0)
            sum.addcmul_(a[k / 2], a[k / 2], 1);
        return sum;
    }

    private static TensorJet IntegerPow(TensorJet u, int r)
    {
        if (r == 0)
            return TensorJet.Constant(ones_like(u.C[0]), u.Order);
        TensorJet? result = null;
        var power = u;
        while (true)
        {
            if ((r & 1) == 1)
                result = result is null ? power : Multiply(result, power);
            r >>= 1;
            if (r == 0)
                return result!;
            power = Square(power);
        }
    }

    private static TensorJet Zip(TensorJet a, TensorJet b, Func<Tensor, Tensor, Tensor> op)
    {
        CheckOrders(a, b);
        return new TensorJet(a.C.Zip(b.C, op).ToArray());
    }

    private static void CheckOrders(TensorJet a, TensorJet b)
    {
        if (a.Order != b.Order)
            throw new ArgumentException($"Jets of orders {a.Order} and {b.Order} cannot be combined; truncate to one order first.");
    }
}
