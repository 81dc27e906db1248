using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.Differentiation;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// Higher-order derivatives along a direction: the derivatives of t -> f(x + t·v) at t = 0, by nested autograd for any f
/// (<see cref="DirectionalDerivatives"/>) or in one Taylor-mode pass through a <see cref="Sequential"/> model
/// (<see cref="Forward"/>); and the exact Laplacian.
/// </summary>
public static class Taylor
{
    /// <summary>
    /// The derivatives of t -> f(x + t·v) at t = 0: element k (k = 0..order) is d^k/dt^k f(x + t·v), with f(x)'s shape
    /// (derivatives, not Taylor coefficients; element 0 is f(x)). Any f, by nested autograd: order k is the derivative of
    /// order k-1 with respect to t. Cost: one forward pass and, per order, one backward pass for a scalar f or two for a
    /// tensor-valued f (the double-VJP trick), each through a graph that grows with the order.
    /// </summary>
    /// <param name="f">Any function of one tensor.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="v">The direction, with x's shape.</param>
    /// <param name="order">The highest derivative, 0 or more.</param>
    public static Tensor[] DirectionalDerivatives(Func<Tensor, Tensor> f, Tensor x, Tensor v, int order)
    {
        const string api = nameof(DirectionalDerivatives);
        AutodiffChecks.Function(f);
        AutodiffChecks.Input(x, nameof(x), api);
        AutodiffChecks.Order(order, api);
        CheckDirection(x, v, api);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var xd = x.detach();
        var vd = ReversePass.Like(v, x);
        var t = zeros(Array.Empty<long>(), dtype: x.dtype, device: x.device).requires_grad_(true);
        var y = ReversePass.Evaluate(ts => f(xd + ts[0] * vd), new[] { t }, api);
        var result = new Tensor[order + 1];
        result[0] = y;
        var current = y;
        for (int k = 1; k <= order; k++)
        {
            current = DerivativeAlongT(current, t, createGraph: k < order, api);
            result[k] = current;
        }
        return result.Select(r => r.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// The same derivatives as <see cref="DirectionalDerivatives"/> for a <see cref="Sequential"/> model, computed in ONE
    /// forward pass of Taylor-mode arithmetic: the jet (x, v, 0, ...) goes through every layer by its rule
    /// (<c>JetRules</c>: Griewank-Walther recurrences), and element k is k! times the output's k-th Taylor coefficient.
    /// x is whatever the model takes (a batch, for example [batch, features]) and v has x's shape. Supported layers:
    /// Linear, Tanh, Sigmoid, ReLU, LeakyReLU, Softplus, SiLU, Identity, Flatten, Dropout (in eval mode) and nested
    /// Sequential. Runs without building an autograd graph (the results carry none). Cost: about (order+1)(order+2)/2
    /// elementwise operations per activation and order+1 matmuls per Linear layer.
    /// </summary>
    /// <param name="model">A Sequential of supported layers.</param>
    /// <param name="x">The input; not modified.</param>
    /// <param name="v">The direction, with x's shape.</param>
    /// <param name="order">The highest derivative, 0 or more.</param>
    /// <exception cref="NotSupportedException">A layer has no Taylor rule; the message names it.</exception>
    public static Tensor[] Forward(Sequential model, Tensor x, Tensor v, int order)
    {
        const string api = nameof(Forward);
        ArgumentNullException.ThrowIfNull(model);
        AutodiffChecks.Input(x, nameof(x), api);
        AutodiffChecks.Order(order, api);
        CheckDirection(x, v, api);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var jet = TensorJet.Line(x.detach(), ReversePass.Like(v, x), order);
        foreach (var (name, layer) in model.named_children())
            jet = LayerRules.Apply(name, layer, jet);
        return jet.Derivatives().Select(d => d.detach().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// The exact Laplacian Δf(x) = Σ_i ∂²f/∂x_i² of a scalar-valued f, over every element of x (x of any shape; for
    /// x of shape [n], the usual Laplacian in R^n), as a 0-dimensional tensor in x's dtype. For a batch of independent
    /// points, call it per point (or use a function of one point). Cost: one forward pass, one backward pass building a
    /// graph, and n = x.numel() backward passes through it (one Hessian row each, of which the diagonal entry is kept).
    /// </summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified.</param>
    public static Tensor Laplacian(Func<Tensor, Tensor> f, Tensor x)
    {
        const string api = nameof(Laplacian);
        AutodiffChecks.Function(f);
        AutodiffChecks.Input(x, nameof(x), api);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var leaf = ReversePass.Leaves(new[] { x })[0];
        var y = ReversePass.Evaluate(xs => f(xs[0]), new[] { leaf }, api);
        AutodiffChecks.Scalar(y, api);
        var g = ReversePass.Backward(y, ones_like(y), leaf, createGraph: true, retainGraph: true, api);
        var total = zeros(Array.Empty<long>(), dtype: x.dtype, device: x.device);
        if (!g.requires_grad)
            return total.MoveToOuterDisposeScope(); // f is at most linear
        long n = leaf.numel();
        var basis = zeros(n, dtype: g.dtype, device: g.device);
        var direction = basis.view(leaf.shape);
        for (long i = 0; i < n; i++)
        {
            using var step = NewDisposeScope();
            basis[i] = 1;
            var row = ReversePass.Backward(g, direction, leaf, createGraph: false, retainGraph: i + 1 < n, api);
            basis[i] = 0;
            total.add_(row.reshape(-1)[i]);
        }
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>d/dt of y(t) with a graph when asked: one backward pass for a scalar y, the double-VJP trick otherwise.</summary>
    private static Tensor DerivativeAlongT(Tensor y, Tensor t, bool createGraph, string api)
    {
        if (!y.requires_grad)
            return zeros_like(y);
        if (y.numel() == 1)
            return ReversePass.Backward(y, ones_like(y), t, createGraph, retainGraph: true, api).reshape(y.shape);
        // g(u) = Σ_i u_i dy_i/dt is linear in u; dy/dt = ∂g/∂u.
        var u = zeros_like(y).requires_grad_(true);
        var g = ReversePass.Backward(y, u, t, createGraph: true, retainGraph: true, api);
        if (!g.requires_grad)
            return zeros_like(y);
        return ReversePass.Backward(g, ones_like(g), u, createGraph, retainGraph: true, api);
    }

    internal static void CheckDirection(Tensor x, Tensor? v, string api)
    {
        if (v is null)
            throw new ArgumentNullException(nameof(v), $"Taylor.{api}: v is null; it must be a direction with x's shape {ShapeText.Of(x)}.");
        if (v.IsInvalid)
            throw new ArgumentException($"Taylor.{api}: v has been disposed.", nameof(v));
        if (!ShapeText.Equal(v.shape, x.shape))
            throw new ArgumentException(
                $"Taylor.{api}: v has shape {ShapeText.Of(v)}, but x has shape {ShapeText.Of(x)}. The derivatives are those of " +
                "t -> f(x + t·v), so v is a direction in input space and must have x's shape.", nameof(v));
        if (!v.is_floating_point())
            throw new ArgumentException($"Taylor.{api}: v has dtype {v.dtype}; it must be a floating-point direction.", nameof(v));
    }
}
