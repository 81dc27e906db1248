using TorchSharp;
using static TorchSharp.torch;
using TrainingDiagnostics.Jets;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The Taylor-mode rules for <see cref="TensorJet"/> (Taylor coefficients u_0..u_K of a tensor input, propagated to the
/// jet of the output). The recurrences (products, quotients, exp, log, sin, cos, tanh, sigmoid, softplus, sqrt, powers)
/// are the one rule set shared with the Kernels' scalar and SIMD jets (<c>TaylorRules</c>: Griewank and Walther,
/// "Evaluating Derivatives", 2nd ed., chapter 13, table 13.2), with its edges: log's coefficients of order ≥ 1 are NaN
/// where u_0 ≤ 0; √u and u^r take the one-sided limits at u_0 = 0; integer powers with |r| ≤ 2^20 go by products.
/// Written here is what only tensors have: linear maps (sums, means, a linear layer's matmul act on every
/// coefficient), piecewise-linear layers (relu, leaky relu multiply every coefficient by the slope at u_0) and
/// TorchSharp's softplus with its beta and threshold. Binary rules require jets of one order.
/// The shared rules are inherited: <c>JetRules.Exp(ref u)</c>. Costs: a rule of order K takes O(K²) elementwise tensor
/// operations (O(K) for linear rules).
/// </summary>
internal sealed class JetRules : TaylorRules<TensorJet, Tensor, Tensor, TensorArithmetic>
{
    // ---------------------------------------------------------------- linear

    public static TensorJet Add(TensorJet a, TensorJet b)
    {
        CheckOrders(a, b);
        return Add(ref a, ref b);
    }

    public static TensorJet Subtract(TensorJet a, TensorJet b)
    {
        CheckOrders(a, b);
        return Subtract(ref a, ref b);
    }

    public static TensorJet Scale(TensorJet a, double s) => Scale(ref a, s);

    /// <summary>a + constant: only the value moves.</summary>
    public static TensorJet AddConstant(TensorJet a, Tensor constant) => AddConstant(ref a, constant);

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

    // ---------------------------------------------------------------- products and quotients of jets of one order

    public static TensorJet Multiply(TensorJet a, TensorJet b)
    {
        CheckOrders(a, b);
        return Multiply(ref a, ref b);
    }

    public static TensorJet Divide(TensorJet u, TensorJet w)
    {
        CheckOrders(u, w);
        return Divide(ref u, ref w);
    }

    // ---------------------------------------------------------------- softplus as TorchSharp's layer computes it

    /// <summary>
    /// softplus(u) = log(1 + exp(βu))/β, whose derivative is sigmoid(βu); linear (y = u) where βu_0 > threshold, as
    /// TorchSharp's Softplus computes it.
    /// </summary>
    public static TensorJet Softplus(TensorJet u, double beta = 1, double threshold = 20)
    {
        var scaled = beta == 1 ? u : Scale(u, beta);
        var g = Sigmoid(ref scaled);
        var y = Integrate(ref u, ref g, nn.functional.softplus(u.C[0], beta, threshold));
        var linear = u.C[0] * beta > threshold;
        for (int k = 1; k <= y.Order; k++)
            y.C[k] = where(linear, u.C[k], y.C[k]);
        return y;
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
    public static TensorJet Silu(TensorJet u) => Multiply(u, Sigmoid(ref u));

    private static void CheckOrders(TensorJet a, TensorJet b)
    {
        if (a.Order != b.Order)
            throw new ArgumentException($"Jets of orders {a.Order} and {b.Order} cannot be combined; truncate to one order first.");
    }
}
