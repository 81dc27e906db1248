using System.Runtime.InteropServices;
using TorchSharp;
using TrainingDiagnostics.Differentiation;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The Hessian H of a scalar (a training loss with respect to the trainable parameters, or a function of one tensor) as a
/// symmetric linear operator v -> H·v on flat vectors of <see cref="Dimension"/> elements, never formed as a matrix.
/// </summary>
/// <remarks>
/// <para>Construction runs the forward pass once and one backward pass that builds a graph of the gradient
/// (<c>backward(create_graph: true, inputs: ...)</c>); the operator keeps that graph, so each <see cref="Apply"/> is one
/// more backward pass (reverse-over-reverse) and nothing else. Dispose the operator to free the graph. The operator is the
/// Hessian at the point where it was built: the graph holds what it needs from then. If a tensor the graph saved is
/// changed in place afterwards (for example a weight, by an optimizer step), libtorch refuses the next backward pass and
/// <see cref="Apply"/> reports that as an <see cref="InvalidOperationException"/>: build a new operator after each step.</para>
/// <para>Every backward pass goes through <c>torch.autograd.backward</c>, never <c>torch.autograd.grad</c> (whose errors abort
/// the process in TorchSharp 0.107), and the parameters' <c>.grad</c> are put back after each pass.</para>
/// </remarks>
public sealed class HessianOperator : IDisposable
{
    private const string Api = nameof(HessianOperator);

    private readonly Tensor[] _leaves;
    private readonly Tensor[] _gradients;
    private readonly bool _ownsLeaves;
    private bool _disposed;

    private HessianOperator(Tensor[] leaves, Tensor[] gradients, bool ownsLeaves)
    {
        _leaves = leaves;
        _gradients = gradients;
        _ownsLeaves = ownsLeaves;
        Dimension = leaves.Sum(l => l.numel());
        DType = leaves[0].dtype;
        Device = leaves[0].device;
    }

    /// <summary>The number of variables n: H is n x n and <see cref="Apply"/> takes and returns vectors of n elements.</summary>
    public long Dimension { get; }

    /// <summary>The dtype of the variables (the model's, or x's): the dtype <see cref="Apply"/> computes and returns in.</summary>
    public ScalarType DType { get; }

    /// <summary>The device of the variables; <see cref="Apply"/> returns vectors there.</summary>
    public Device Device { get; }

    /// <summary>
    /// The Hessian of <paramref name="loss"/> with respect to <paramref name="model"/>'s trainable parameters (those with
    /// <c>requires_grad</c>, in <c>parameters()</c> order, flattened and concatenated), with BatchNorm layers as found.
    /// Cost: one forward pass (one call of <paramref name="loss"/>) and one backward pass building a graph.
    /// </summary>
    /// <param name="model">The model; its <c>.grad</c>, buffers, train/eval modes, the CPU RNG state and every
    /// <c>requires_grad</c> are as they were when this returns.</param>
    /// <param name="loss">Computes the scalar loss from the model (for example on a fixed batch); called once.</param>
    public static HessianOperator ForLoss(nn.Module model, Func<Tensor> loss) => ForLoss(model, loss, new HessianOptions());

    /// <summary>
    /// As <see cref="ForLoss(nn.Module, Func{Tensor})"/>, with options (the BatchNorm mode during the forward pass).
    /// Cost: one forward pass and one backward pass building a graph.
    /// </summary>
    /// <param name="model">The model; left as found (see the other overload).</param>
    /// <param name="loss">Computes the scalar loss from the model; called once.</param>
    /// <param name="options">How to evaluate the loss.</param>
    public static HessianOperator ForLoss(nn.Module model, Func<Tensor> loss, HessianOptions options) =>
        ForLoss(model, loss, options, lossProven: false);

    /// <summary>
    /// As <see cref="ForLoss(nn.Module, Func{Tensor}, HessianOptions)"/>; with <paramref name="lossProven"/> (the monitor's
    /// step has just run a plain backward pass of this very closure), the gradient graph is built with
    /// <c>torch.autograd.grad</c> (<see cref="ReversePass.GradientGraph"/>): no <c>.grad</c> is written, so no reference
    /// cycle and no libtorch warning. Without it, the catchable <c>backward(create_graph: true, inputs: ...)</c> is used, whose
    /// errors (an operation without a derivative) become exceptions instead of aborting the process.
    /// </summary>
    internal static HessianOperator ForLoss(nn.Module model, Func<Tensor> loss, HessianOptions options, bool lossProven)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException(
                "HessianOperator.ForLoss: the model has no trainable parameters (none has requires_grad = true), so the loss has no " +
                "Hessian with respect to them. Unfreeze the parameters you want the curvature of, or use ForFunction for a function of a tensor.",
                nameof(model));
        if (parameters.Select(p => p.dtype).Distinct().Count() > 1)
            throw new ArgumentException(
                "HessianOperator.ForLoss: the trainable parameters have different dtypes (" +
                string.Join(", ", parameters.Select(p => p.dtype).Distinct()) + "); the operator works on one flat vector of one dtype. " +
                "Convert the model first, for example model.to(torch.float64).", nameof(model));

        using var state = new ModelState(model);
        using var stash = new GradStash(parameters);
        Tensor[] gradients;
        try
        {
            state.PrepareBatchNorm(model, options.BatchNorm);
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            Tensor? y;
            try
            {
                y = loss();
            }
            catch (ExternalException e)
            {
                throw new ArgumentException($"HessianOperator.ForLoss: the loss closure failed: {FirstLine(e.Message)}", nameof(loss), e);
            }
            CheckScalarLoss(y);
            gradients = lossProven
                ? ReversePass.GradientGraph(y!, parameters)
                : ReversePass.Backward(y!, ones_like(y!), parameters, createGraph: true, retainGraph: true, Api);
            foreach (var g in gradients)
                g.DetachFromDisposeScope();
        }
        finally
        {
            state.Restore();
        }
        return new HessianOperator(parameters, gradients, ownsLeaves: false);
    }

    /// <summary>
    /// The Hessian ∇²f(x) of a scalar-valued f at x, with respect to the elements of x flattened (x of any shape).
    /// Cost: one forward pass and one backward pass building a graph.
    /// </summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified (f runs on a detached alias that requires grad).</param>
    public static HessianOperator ForFunction(Func<Tensor, Tensor> f, Tensor x)
    {
        AutodiffChecks.Function(f);
        AutodiffChecks.Input(x, nameof(x), Api);
        Tensor leaf;
        Tensor gradient;
        using (var scope = NewDisposeScope())
        using (enable_grad())
        {
            leaf = ReversePass.Leaves(new[] { x })[0];
            var y = ReversePass.Evaluate(xs => f(xs[0]), new[] { leaf }, Api);
            AutodiffChecks.Scalar(y, Api);
            gradient = ReversePass.Backward(y, ones_like(y), leaf, createGraph: true, retainGraph: true, Api);
            leaf.DetachFromDisposeScope();
            gradient.DetachFromDisposeScope();
        }
        return new HessianOperator(new[] { leaf }, new[] { gradient }, ownsLeaves: true);
    }

    /// <summary>
    /// H·v, the Hessian-vector product, reverse-over-reverse through the kept gradient graph, as a flat vector of
    /// <see cref="Dimension"/> elements in <see cref="DType"/> on <see cref="Device"/>. Cost: one backward pass.
    /// </summary>
    /// <param name="v">A flat vector of <see cref="Dimension"/> elements (cast to <see cref="DType"/> if needed).</param>
    /// <exception cref="ArgumentException">v is not a 1-D tensor of <see cref="Dimension"/> elements.</exception>
    /// <exception cref="InvalidOperationException">The graph can no longer be used (for example the parameters were changed in place).</exception>
    public Tensor Apply(Tensor v)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckVector(v);
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var flat = ReversePass.Like(v, _gradients[0]);
        Tensor? directional = null;
        long offset = 0;
        for (int k = 0; k < _gradients.Length; k++)
        {
            long n = _gradients[k].numel();
            if (_gradients[k].requires_grad)
            {
                var term = (_gradients[k] * flat.narrow(0, offset, n).reshape(_gradients[k].shape)).sum();
                directional = directional is null ? term : directional + term;
            }
            offset += n;
        }
        if (directional is null)
            return zeros(Dimension, dtype: DType, device: Device).MoveToOuterDisposeScope(); // f is (at most) linear: H = 0

        Tensor[] products;
        using (new GradStash(_leaves))
        {
            try
            {
                products = ReversePass.Backward(directional, ones_like(directional), _leaves, createGraph: false, retainGraph: true, Api);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException(
                    "HessianOperator.Apply: libtorch refused the backward pass through the kept gradient graph. The usual cause is that " +
                    "the parameters (or a tensor the loss saved) were changed in place after the operator was built, for example by an " +
                    "optimizer step: build a new operator after each change. " + e.Message, e);
            }
        }
        return cat(products.Select(p => p.reshape(-1)).ToArray()).detach().MoveToOuterDisposeScope();
    }

    /// <summary>Frees the kept gradient graph (and the private copy of x for <see cref="ForFunction"/>).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var g in _gradients)
            g.Dispose();
        if (_ownsLeaves)
            foreach (var leaf in _leaves)
                leaf.Dispose();
    }

    private void CheckVector(Tensor v)
    {
        if (v is null)
            throw new ArgumentNullException(nameof(v), $"HessianOperator.Apply: v is null; pass a flat vector of {Dimension} elements.");
        if (v.IsInvalid)
            throw new ArgumentException("HessianOperator.Apply: v has been disposed.", nameof(v));
        if (v.dim() == 1 && v.shape[0] == Dimension && v.is_floating_point())
            return;
        string hint = v.numel() == Dimension
            ? " It has the right number of elements: flatten it first with v.reshape(-1)."
            : " For a model, n is the total number of trainable parameter elements (all of them flattened and concatenated in parameters() order).";
        if (!v.is_floating_point())
            hint = " It must be a floating-point tensor.";
        throw new ArgumentException(
            $"HessianOperator.Apply: expected a flat vector of {Dimension} elements (shape [{Dimension}], the operator's Dimension), " +
            $"but v has shape {ShapeText.Of(v)} and dtype {v.dtype}. H is {Dimension} x {Dimension}, so H·v needs v in the same space." + hint,
            nameof(v));
    }

    private static void CheckScalarLoss(Tensor? y)
    {
        if (y is null)
            throw new ArgumentException("HessianOperator.ForLoss: the loss closure returned null; it must return the scalar loss tensor.", "loss");
        if (y.numel() != 1 || !y.is_floating_point())
            throw new ArgumentException(
                $"HessianOperator.ForLoss: the loss must be a floating-point scalar, but it has shape {ShapeText.Of(y)} and dtype {y.dtype}. " +
                "Reduce it first (for example with a mean over the batch).", "loss");
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
