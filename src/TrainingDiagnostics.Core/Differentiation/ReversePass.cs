using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Differentiation;

/// <summary>
/// The two primitives every <see cref="Autodiff"/> operation is built from: evaluating f on private leaves,
/// and one reverse (backward) pass.
/// </summary>
/// <remarks>
/// The backward pass goes through <c>torch.autograd.backward(..., inputs: leaves)</c>, never through
/// <c>torch.autograd.grad</c>: in TorchSharp 0.107 any libtorch error inside <c>autograd.grad</c> aborts the process,
/// while <c>backward</c> raises a catchable exception. Gradients land in the <c>.grad</c> of our own leaves (detached
/// aliases of the caller's tensors), are taken out and the <c>.grad</c> reset, so the caller's tensors never change.
/// </remarks>
internal static class ReversePass
{
    /// <summary>Detached aliases of the inputs that require grad; the caller's tensors are left as they are.</summary>
    public static Tensor[] Leaves(Tensor[] xs)
    {
        var leaves = new Tensor[xs.Length];
        for (int i = 0; i < xs.Length; i++)
            leaves[i] = xs[i].detach().requires_grad_(true);
        return leaves;
    }

    /// <summary>
    /// Checks f and the inputs, makes the leaves and evaluates f on them: the start of every operation. Call it inside the
    /// operation's dispose scope with grad mode on.
    /// </summary>
    public static (Tensor[] Leaves, Tensor Output) Trace(Func<Tensor[], Tensor> f, Tensor[] xs, string api)
    {
        AutodiffChecks.Function(f);
        AutodiffChecks.Inputs(xs, api);
        var leaves = Leaves(xs);
        return (leaves, Evaluate(f, leaves, api));
    }

    /// <summary>
    /// Σ_k ⟨g_k, v_k⟩ as a scalar with a graph (null when no g_k depends on anything): differentiating it gives the
    /// directional derivative of g along v, the second half of a JVP or an HVP.
    /// </summary>
    public static Tensor? Directional(Tensor[] g, Tensor[] vs)
    {
        Tensor? sum = null;
        for (int k = 0; k < g.Length; k++)
        {
            if (!g[k].requires_grad)
                continue;
            var term = (g[k] * Like(vs[k], g[k])).sum();
            sum = sum is null ? term : sum + term;
        }
        return sum;
    }

    /// <summary>Evaluates f on the leaves with grad mode on, turning libtorch errors inside f into argument errors.</summary>
    public static Tensor Evaluate(Func<Tensor[], Tensor> f, Tensor[] leaves, string api)
    {
        Tensor? y;
        try
        {
            y = f(leaves);
        }
        catch (ExternalException e)
        {
            throw new ArgumentException(
                $"{api}: f failed when evaluated at input(s) of shape {string.Join(", ", leaves.Select(ShapeText.Of))}: {FirstLine(e.Message)}",
                "f", e);
        }
        AutodiffChecks.Output(y, leaves, api);
        return y!;
    }

    /// <summary>
    /// One backward pass: returns Σ_i v_i ∂y_i/∂w for each tensor w in <paramref name="wrt"/> (zeros where y does not
    /// depend on w). With <paramref name="createGraph"/> the results carry a graph and can be differentiated again.
    /// </summary>
    public static Tensor[] Backward(Tensor y, Tensor v, Tensor[] wrt, bool createGraph, bool retainGraph, string api)
    {
        var results = new Tensor[wrt.Length];
        if (!y.requires_grad)
        {
            // f does not depend on the inputs through differentiable operations: libtorch gives no grad_fn, the
            // derivative is identically zero.
            for (int i = 0; i < wrt.Length; i++)
                results[i] = zeros_like(wrt[i]);
            return results;
        }

        foreach (var w in wrt)
            w.grad = null;
        try
        {
            autograd.backward(new[] { y }, new[] { v }, retain_graph: retainGraph, create_graph: createGraph, inputs: wrt);
        }
        catch (ExternalException e)
        {
            foreach (var w in wrt)
                w.grad = null;
            throw new ArgumentException(
                $"{api}: libtorch could not differentiate f: {FirstLine(e.Message)} " +
                "(an operation without a derivative, a graph already freed, or a NaN caught by anomaly mode).", "f", e);
        }

        for (int i = 0; i < wrt.Length; i++)
        {
            // Reading .grad and resetting it breaks the leaf <-> grad reference cycle that create_graph would leave.
            var g = wrt[i].grad;
            wrt[i].grad = null;
            results[i] = g ?? zeros_like(wrt[i]);
        }
        return results;
    }

    /// <summary>
    /// The gradient of the scalar <paramref name="y"/> with respect to the leaves <paramref name="wrt"/>, as tensors that carry
    /// a graph (reverse mode with <c>create_graph</c>), through <c>torch.autograd.grad</c>: nothing is accumulated into any
    /// <c>.grad</c>, so no leaf-gradient reference cycle forms and libtorch prints no warning.
    /// </summary>
    /// <remarks>
    /// Only for a loss whose plain backward pass has already succeeded on the same code path (the monitor's step): any
    /// libtorch error inside <c>autograd.grad</c> aborts the process in TorchSharp 0.107. What can still differ is
    /// excluded here: anomaly mode is switched off for the pass (its NaN check would raise), unused leaves are allowed (and
    /// come back as zeros), and the graph is fresh.
    /// </remarks>
    public static Tensor[] GradientGraph(Tensor y, Tensor[] wrt)
    {
        var results = new Tensor[wrt.Length];
        if (!y.requires_grad || y.numel() != 1)
        {
            for (int i = 0; i < wrt.Length; i++)
                results[i] = zeros_like(wrt[i]);
            return results;
        }
        if (Array.Exists(wrt, w => !w.requires_grad || !w.is_leaf))
            throw new ArgumentException("ReversePass.GradientGraph: every input must be a leaf that requires grad.", nameof(wrt));
        IList<Tensor> grads;
        using (autograd.set_detect_anomaly(false))
            grads = autograd.grad([y], wrt, [ones_like(y)], retain_graph: true, create_graph: true, allow_unused: true);
        for (int i = 0; i < wrt.Length; i++)
            results[i] = grads[i] is { IsInvalid: false } g ? g : zeros_like(wrt[i]);
        return results;
    }

    /// <summary>Single-tensor convenience over <see cref="Backward(Tensor, Tensor, Tensor[], bool, bool, string)"/>.</summary>
    public static Tensor Backward(Tensor y, Tensor v, Tensor wrt, bool createGraph, bool retainGraph, string api) =>
        Backward(y, v, new[] { wrt }, createGraph, retainGraph, api)[0];

    /// <summary>Brings a user-supplied vector to the dtype and device of the tensor it pairs with (no copy when they match).</summary>
    public static Tensor Like(Tensor v, Tensor reference) =>
        v.dtype == reference.dtype && v.device == reference.device ? v.detach() : v.detach().to(reference.dtype, reference.device);

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
