using TorchSharp;
using TrainingDiagnostics.Differentiation;
using static TorchSharp.torch;

namespace TrainingDiagnostics;

/// <summary>
/// Functional automatic differentiation over TorchSharp: gradients, vector-Jacobian and Jacobian-vector products,
/// Jacobians, Hessian-vector products, Hessians and higher elementwise derivatives of a function given as a delegate.
/// </summary>
/// <remarks>
/// <para>Conventions. For f: R^n -> R^m with Jacobian J (m x n, one row per output element):
/// a VJP is vᵀ·J with v in output space (f(x)'s shape; torch.autograd.grad's grad_outputs); a JVP is J·v with v in input
/// space (x's shape). A backward pass computes one VJP.</para>
/// <para>Guarantees. The inputs are never modified: f runs on detached aliases that require grad, so the caller's
/// <c>requires_grad</c> and <c>.grad</c> stay as they were, and the caller's own graph is not extended. Results are detached
/// tensors registered with the caller's dispose scope (if any); every intermediate is disposed. Any input shape, float32
/// or float64 (also float16/bfloat16), on whatever device x lives. A mistake in the arguments becomes an
/// <see cref="ArgumentException"/> that says what was expected and why; libtorch errors never reach
/// <c>torch.autograd.grad</c> (which would abort the process): everything runs through <c>backward</c>.</para>
/// <para>Functions whose derivative is identically zero (a constant f, the second derivative of a linear f) give zeros.</para>
/// </remarks>
public static class Autodiff
{
    // ---------------------------------------------------------------- gradients

    /// <summary>The gradient ∇f(x) of a scalar-valued f, with x's shape. Cost: one forward and one backward pass.</summary>
    /// <param name="f">A scalar-valued function (its result has one element).</param>
    /// <param name="x">The point; not modified.</param>
    /// <exception cref="ArgumentException">f(x) has more than one element (use <see cref="Vjp(Func{Tensor, Tensor}, Tensor, Tensor)"/> or <see cref="Jacobian(Func{Tensor, Tensor}, Tensor, JacobianMode)"/>).</exception>
    public static Tensor Grad(Func<Tensor, Tensor> f, Tensor x)
    {
        AutodiffChecks.Function(f);
        var (value, gradients) = ValueAndGrad(xs => f(xs[0]), new[] { x }, nameof(Grad));
        value.Dispose();
        return gradients[0];
    }

    /// <summary>The gradients of a scalar-valued f of several inputs, one per input with that input's shape. Cost: one forward and one backward pass.</summary>
    /// <param name="f">A scalar-valued function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    public static Tensor[] Grad(Func<Tensor[], Tensor> f, Tensor[] xs)
    {
        var (value, gradients) = ValueAndGrad(f, xs, nameof(Grad));
        value.Dispose();
        return gradients;
    }

    /// <summary>f(x) and its gradient ∇f(x), from one forward and one backward pass.</summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified.</param>
    public static (Tensor Value, Tensor Gradient) ValueAndGrad(Func<Tensor, Tensor> f, Tensor x)
    {
        AutodiffChecks.Function(f);
        var (value, gradients) = ValueAndGrad(xs => f(xs[0]), new[] { x }, nameof(ValueAndGrad));
        return (value, gradients[0]);
    }

    /// <summary>f(xs) and its gradient with respect to each input, from one forward and one backward pass.</summary>
    /// <param name="f">A scalar-valued function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    public static (Tensor Value, Tensor[] Gradients) ValueAndGrad(Func<Tensor[], Tensor> f, Tensor[] xs) =>
        ValueAndGrad(f, xs, nameof(ValueAndGrad));

    private static (Tensor Value, Tensor[] Gradients) ValueAndGrad(Func<Tensor[], Tensor> f, Tensor[] xs, string api)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        AutodiffChecks.Scalar(y, api);
        var gradients = ReversePass.Backward(y, ones_like(y), leaves, createGraph: false, retainGraph: false, api);
        return (Detached(y), gradients.Select(Detached).ToArray());
    }

    // ---------------------------------------------------------------- VJP and JVP

    /// <summary>
    /// f(x) and the vector-Jacobian product vᵀ·J (J = ∂f/∂x), with x's shape. v weights the output elements and must have
    /// f(x)'s shape (it is torch.autograd.grad's grad_outputs). Cost: one forward and one backward pass.
    /// </summary>
    /// <param name="f">Any function of one tensor.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="v">The cotangent, with f(x)'s shape.</param>
    /// <exception cref="ArgumentException">v does not have f(x)'s shape; the message explains why it must.</exception>
    public static (Tensor Value, Tensor Vjp) Vjp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        AutodiffChecks.Function(f);
        var (value, products) = Vjp(xs => f(xs[0]), new[] { x }, v);
        return (value, products[0]);
    }

    /// <summary>f(xs) and vᵀ·∂f/∂x_k for each input x_k (each with that input's shape). Cost: one forward and one backward pass.</summary>
    /// <param name="f">Any function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    /// <param name="v">The cotangent, with f(xs)'s shape.</param>
    public static (Tensor Value, Tensor[] Vjp) Vjp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor v)
    {
        const string api = nameof(Vjp);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        AutodiffChecks.Cotangent(y, v, xs, api);
        var products = ReversePass.Backward(y, ReversePass.Like(v, y), leaves, createGraph: false, retainGraph: false, api);
        return (Detached(y), products.Select(Detached).ToArray());
    }

    /// <summary>
    /// f(x) and the Jacobian-vector product J·v, the directional derivative of f along v, with f(x)'s shape. v is a
    /// direction in input space and must have x's shape. libtorch has no forward mode, so this uses the double-VJP trick:
    /// g(u) = uᵀ·J is linear in u, and J·v = ∂⟨g(u), v⟩/∂u. Cost: one forward pass and two backward passes (the first one
    /// building a graph).
    /// </summary>
    /// <param name="f">Any function of one tensor.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="v">The tangent direction, with x's shape.</param>
    /// <exception cref="ArgumentException">v does not have x's shape; the message explains why it must.</exception>
    public static (Tensor Value, Tensor Jvp) Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        AutodiffChecks.Function(f);
        return Jvp(xs => f(xs[0]), new[] { x }, new[] { v }, nameof(Jvp));
    }

    /// <summary>f(xs) and Σ_k ∂f/∂x_k · v_k, the directional derivative along the joint direction (v_1, ..., v_k). Cost as the single-input overload.</summary>
    /// <param name="f">Any function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    /// <param name="vs">One direction per input, each with that input's shape.</param>
    public static (Tensor Value, Tensor Jvp) Jvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs) =>
        Jvp(f, xs, vs, nameof(Jvp));

    private static (Tensor Value, Tensor Jvp) Jvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs, string api)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        if (xs.Length == 1)
            AutodiffChecks.Tangent(xs[0], vs?[0], y, "v", api);
        else
            AutodiffChecks.Tangents(xs, vs, y, api);

        var u = zeros_like(y).requires_grad_(true);
        var g = ReversePass.Backward(y, u, leaves, createGraph: true, retainGraph: true, api);
        var directional = ReversePass.Directional(g, vs!);
        var jvp = directional is null
            ? zeros_like(y)
            : ReversePass.Backward(directional, ones_like(directional), u, createGraph: false, retainGraph: false, api);
        return (Detached(y), Detached(jvp));
    }

    // ---------------------------------------------------------------- Jacobians

    /// <summary>
    /// The Jacobian ∂f/∂x with shape f(x).shape ++ x.shape (J[i..., j...] = ∂f_i/∂x_j). Cost with m = f(x).numel() and
    /// n = x.numel(): <see cref="JacobianMode.Reverse"/> takes one forward and m backward passes; <see cref="JacobianMode.Forward"/>
    /// one forward and n + 1 backward passes, n of them through the graph of a backward pass (about twice the work each);
    /// <see cref="JacobianMode.Auto"/> picks Reverse when m &lt;= n.
    /// </summary>
    /// <param name="f">Any function of one tensor.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="mode">Row by row (reverse), column by column (forward), or the cheaper of the two.</param>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x, JacobianMode mode = JacobianMode.Auto)
    {
        AutodiffChecks.Function(f);
        return Jacobian(xs => f(xs[0]), new[] { x }, mode)[0];
    }

    /// <summary>The Jacobians ∂f/∂x_k, one per input, each with shape f(xs).shape ++ x_k.shape. Cost as the single-input overload, with n the total number of input elements.</summary>
    /// <param name="f">Any function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    /// <param name="mode">Row by row (reverse), column by column (forward), or the cheaper of the two.</param>
    public static Tensor[] Jacobian(Func<Tensor[], Tensor> f, Tensor[] xs, JacobianMode mode = JacobianMode.Auto)
    {
        const string api = nameof(Jacobian);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Jacobian: mode must be Auto, Reverse or Forward.");
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        long m = y.numel();
        long n = xs.Sum(x => x.numel());
        if (mode == JacobianMode.Auto)
            mode = m <= n ? JacobianMode.Reverse : JacobianMode.Forward;

        var jacobians = mode == JacobianMode.Reverse ? ReverseJacobian(y, leaves, api) : ForwardJacobian(y, leaves, api);
        return jacobians.Select(Detached).ToArray();
    }

    private static Tensor[] ReverseJacobian(Tensor y, Tensor[] leaves, string api)
    {
        long m = y.numel();
        var rows = leaves.Select(_ => new List<Tensor>((int)m)).ToArray();
        var basis = zeros(m, dtype: y.dtype, device: y.device);
        var cotangent = basis.view(y.shape);
        for (long i = 0; i < m; i++)
        {
            basis[i] = 1;
            var products = ReversePass.Backward(y, cotangent, leaves, createGraph: false, retainGraph: i + 1 < m, api);
            basis[i] = 0;
            for (int k = 0; k < leaves.Length; k++)
                rows[k].Add(products[k].reshape(-1));
        }
        return leaves.Select((leaf, k) => m == 0
                ? zeros(ShapeText.Concat(y.shape, leaf.shape), dtype: leaf.dtype, device: leaf.device)
                : stack(rows[k]).view(ShapeText.Concat(y.shape, leaf.shape)))
            .ToArray();
    }

    private static Tensor[] ForwardJacobian(Tensor y, Tensor[] leaves, string api)
    {
        var u = zeros_like(y).requires_grad_(true);
        var g = ReversePass.Backward(y, u, leaves, createGraph: true, retainGraph: true, api);
        var result = new Tensor[leaves.Length];
        int remaining = leaves.Count(leaf => leaf.numel() > 0);
        for (int k = 0; k < leaves.Length; k++)
        {
            var shape = ShapeText.Concat(y.shape, leaves[k].shape);
            long n = leaves[k].numel();
            if (!g[k].requires_grad || n == 0)
            {
                result[k] = zeros(shape, dtype: y.dtype, device: y.device);
                if (n > 0) remaining--;
                continue;
            }
            var columns = new List<Tensor>((int)n);
            var basis = zeros(n, dtype: g[k].dtype, device: g[k].device);
            var tangent = basis.view(leaves[k].shape);
            remaining--;
            for (long j = 0; j < n; j++)
            {
                basis[j] = 1;
                var column = ReversePass.Backward(g[k], tangent, u, createGraph: false, retainGraph: j + 1 < n || remaining > 0, api);
                basis[j] = 0;
                columns.Add(column.reshape(-1));
            }
            result[k] = stack(columns, dim: 1).view(shape);
        }
        return result;
    }

    /// <summary>
    /// The diagonal dy_i/dx_i of the Jacobian of an elementwise f (y_i depends on x_i alone), with x's shape: the seed's
    /// "derivative of sin(x) is cos(x)". Cost: one forward and one backward pass with ones; the first call for a given f and
    /// input kind (shape, dtype, device) adds one backward pass with a random vector r that proves the Jacobian diagonal
    /// (rᵀ·J must equal r ⊙ d), and the confirmation is remembered for that f.
    /// </summary>
    /// <param name="f">An elementwise function: f(x) has x's shape and y_i depends on x_i only.</param>
    /// <param name="x">The point; not modified.</param>
    /// <exception cref="ArgumentException">f(x) does not have x's shape, or its Jacobian is not diagonal (then the backward
    /// pass with ones would give column sums, not derivatives: use <see cref="Jacobian(Func{Tensor, Tensor}, Tensor, JacobianMode)"/>).</exception>
    public static Tensor JacobianDiagonal(Func<Tensor, Tensor> f, Tensor x) =>
        ElementwiseDerivative(f, x, 1, nameof(JacobianDiagonal));

    /// <summary>
    /// The k-th derivative d^k y_i/dx_i^k of an elementwise f, with x's shape (order 0 gives f(x)). Cost: one forward pass and
    /// k nested backward passes (each differentiating the previous derivative), plus the diagonal verification of
    /// <see cref="JacobianDiagonal"/>.
    /// </summary>
    /// <param name="f">An elementwise function.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="order">How many times to differentiate, 0 or more.</param>
    public static Tensor ElementwiseDerivative(Func<Tensor, Tensor> f, Tensor x, int order) =>
        ElementwiseDerivative(f, x, order, nameof(ElementwiseDerivative));

    private static Tensor ElementwiseDerivative(Func<Tensor, Tensor> f, Tensor x, int order, string api)
    {
        AutodiffChecks.Function(f);
        AutodiffChecks.Input(x, nameof(x), api);
        AutodiffChecks.Order(order, api);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var leaf = ReversePass.Leaves(new[] { x })[0];
        var y = ReversePass.Evaluate(xs => f(xs[0]), new[] { leaf }, api);
        AutodiffChecks.SameShapeAsInput(x, y, api);
        if (order == 0)
            return Detached(y);

        // For an elementwise g, ∂/∂x_j Σ_i g(x_i) = g'(x_j): each backward pass with ones differentiates once more.
        var derivative = ReversePass.Backward(y, ones_like(y), leaf, createGraph: order > 1, retainGraph: true, api);
        DiagonalJacobianCheck.Verify(f, leaf, y, derivative, api);
        for (int k = 2; k <= order; k++)
            derivative = ReversePass.Backward(derivative, ones_like(derivative), leaf, createGraph: k < order, retainGraph: k < order, api);
        return Detached(derivative);
    }

    // ---------------------------------------------------------------- second order

    /// <summary>
    /// The Hessian-vector product H·v of a scalar-valued f (H = ∇²f(x)), with x's shape, reverse-over-reverse, without
    /// forming H. v must have x's shape. Cost: one forward pass and two backward passes (the first one building a graph).
    /// </summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="v">The direction, with x's shape.</param>
    public static Tensor Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        AutodiffChecks.Function(f);
        return Hvp(xs => f(xs[0]), new[] { x }, new[] { v }, nameof(Hvp))[0];
    }

    /// <summary>
    /// The Hessian-vector product for a scalar f of several inputs: entry k is Σ_l ∂²f/∂x_k∂x_l · v_l, with x_k's shape.
    /// Cost: one forward pass and two backward passes.
    /// </summary>
    /// <param name="f">A scalar-valued function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    /// <param name="vs">One direction per input, each with that input's shape.</param>
    public static Tensor[] Hvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs) => Hvp(f, xs, vs, nameof(Hvp));

    private static Tensor[] Hvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs, string api)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        AutodiffChecks.Scalar(y, api);
        if (xs.Length == 1)
            AutodiffChecks.Tangent(xs[0], vs?[0], y, "v", api);
        else
            AutodiffChecks.Tangents(xs, vs, y, api);

        var g = ReversePass.Backward(y, ones_like(y), leaves, createGraph: true, retainGraph: true, api);
        var directional = ReversePass.Directional(g, vs!);
        if (directional is null)
            return leaves.Select(leaf => zeros_like(leaf).MoveToOuterDisposeScope()).ToArray();
        var products = ReversePass.Backward(directional, ones_like(directional), leaves, createGraph: false, retainGraph: false, api);
        return products.Select(Detached).ToArray();
    }

    /// <summary>
    /// The Hessian ∇²f(x) of a scalar-valued f, with shape x.shape ++ x.shape. Cost: one forward pass, one backward pass
    /// building a graph, and n = x.numel() backward passes through it (one row each).
    /// </summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified.</param>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x)
    {
        AutodiffChecks.Function(f);
        return Hessian(xs => f(xs[0]), new[] { x })[0][0];
    }

    /// <summary>
    /// The Hessian of a scalar f of several inputs, as blocks: result[k][l] = ∂²f/∂x_k∂x_l with shape x_k.shape ++ x_l.shape.
    /// Cost: one forward pass, one backward pass building a graph, and one backward pass per input element.
    /// </summary>
    /// <param name="f">A scalar-valued function of several tensors.</param>
    /// <param name="xs">The inputs; not modified.</param>
    public static Tensor[][] Hessian(Func<Tensor[], Tensor> f, Tensor[] xs)
    {
        const string api = nameof(Hessian);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (leaves, y) = ReversePass.Trace(f, xs, api);
        AutodiffChecks.Scalar(y, api);
        var g = ReversePass.Backward(y, ones_like(y), leaves, createGraph: true, retainGraph: true, api);

        var blocks = new Tensor[leaves.Length][];
        int lastDifferentiable = Array.FindLastIndex(g, gk => gk.requires_grad && gk.numel() > 0);
        for (int k = 0; k < leaves.Length; k++)
        {
            long n = leaves[k].numel();
            var rows = leaves.Select(_ => new List<Tensor>((int)n)).ToArray();
            if (g[k].requires_grad && n > 0)
            {
                var basis = zeros(n, dtype: g[k].dtype, device: g[k].device);
                var direction = basis.view(leaves[k].shape);
                for (long i = 0; i < n; i++)
                {
                    basis[i] = 1;
                    bool last = k == lastDifferentiable && i + 1 == n;
                    var row = ReversePass.Backward(g[k], direction, leaves, createGraph: false, retainGraph: !last, api);
                    basis[i] = 0;
                    for (int l = 0; l < leaves.Length; l++)
                        rows[l].Add(row[l].reshape(-1));
                }
            }
            blocks[k] = leaves.Select((leaf, l) =>
            {
                var shape = ShapeText.Concat(leaves[k].shape, leaf.shape);
                var block = rows[l].Count == 0 ? zeros(shape, dtype: leaf.dtype, device: leaf.device) : stack(rows[l]).view(shape);
                return Detached(block);
            }).ToArray();
        }
        return blocks;
    }

    private static Tensor Detached(Tensor t) => t.detach().MoveToOuterDisposeScope();
}
