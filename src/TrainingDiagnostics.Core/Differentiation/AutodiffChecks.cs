using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Differentiation;

/// <summary>
/// Argument checks of <see cref="Autodiff"/>, done before any backward pass so that a user's mistake becomes an
/// <see cref="ArgumentException"/> that explains the mathematics instead of a libtorch error.
/// </summary>
internal static class AutodiffChecks
{
    public static void Function(Delegate f)
    {
        ArgumentNullException.ThrowIfNull(f);
    }

    public static void Inputs(Tensor[] xs, string api)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Length == 0)
            throw new ArgumentException($"{api} needs at least one input tensor; the array was empty.", nameof(xs));
        for (int i = 0; i < xs.Length; i++)
            Input(xs[i], xs.Length == 1 ? "x" : $"xs[{i}]", api);
    }

    public static void Input(Tensor x, string name, string api)
    {
        if (x is null)
            throw new ArgumentNullException(name, $"{api}: the input {name} is null.");
        if (x.IsInvalid)
            throw new ArgumentException($"{api}: the input {name} has been disposed.", name);
        if (x.is_complex() || !x.is_floating_point())
            throw new ArgumentException(
                $"{api} differentiates with respect to real floating-point tensors (float32, float64, float16, bfloat16), " +
                $"but {name} has dtype {x.dtype}. Convert it first, for example x.to(torch.float64).", name);
    }

    public static void Output(Tensor? y, Tensor[] xs, string api)
    {
        if (y is null)
            throw new ArgumentException($"{api}: f returned null; it must return a tensor computed from its input(s).", "f");
        if (y.is_complex() || !y.is_floating_point())
            throw new ArgumentException(
                $"{api}: f(x) has dtype {y.dtype}, which has no derivative. f must return a real floating-point tensor " +
                "(an integer or boolean result, such as argmax or a comparison, is piecewise constant).", "f");
    }

    public static void Scalar(Tensor y, string api)
    {
        if (y.numel() == 1)
            return;
        throw new ArgumentException(
            $"{api} needs a scalar-valued f, but f(x) has shape {ShapeText.Of(y)} ({y.numel()} elements). " +
            "A gradient exists only for a scalar function. For a vector-valued f use Vjp(f, x, v) for vᵀ·J " +
            "(v with f(x)'s shape), Jacobian(f, x) for the whole matrix, or JacobianDiagonal(f, x) for an elementwise f; " +
            "or reduce f to a scalar first (for example a sum or a mean).", "f");
    }

    /// <summary>The VJP cotangent v must live in output space: the shape of f(x).</summary>
    public static void Cotangent(Tensor y, Tensor? v, Tensor[] xs, string api)
    {
        if (v is null)
            throw new ArgumentNullException(nameof(v), $"{api}: v is null; it must have f(x)'s shape {ShapeText.Of(y)}.");
        if (v.IsInvalid)
            throw new ArgumentException($"{api}: v has been disposed.", nameof(v));
        if (ShapeText.Equal(v.shape, y.shape))
            return;
        string hint = xs.Any(x => ShapeText.Equal(v.shape, x.shape))
            ? $" Your v has the input's shape {ShapeText.Of(v)}: that is the shape of a JVP tangent, not of a VJP cotangent." +
              (y.numel() == 1
                  ? " f is scalar-valued here, so its gradient is just Grad(f, x) (v = 1); passing ones_like(x) as grad_outputs is the classic mix-up."
                  : " To push a direction from the input side (J·v), use Jvp.")
            : "";
        throw new ArgumentException(
            $"{api}: v has shape {ShapeText.Of(v)}, but f(x) has shape {ShapeText.Of(y)}. " +
            "A vector-Jacobian product computes vᵀ·J, where J = ∂f/∂x has one row per element of f(x); v weights those rows, " +
            $"so v lives in output space and must have f(x)'s shape {ShapeText.Of(y)} (this is torch.autograd.grad's grad_outputs)." + hint,
            nameof(v));
    }

    /// <summary>The JVP tangent v must live in input space: the shape of x.</summary>
    public static void Tangent(Tensor x, Tensor? v, Tensor y, string name, string api)
    {
        if (v is null)
            throw new ArgumentNullException(name, $"{api}: {name} is null; it must have the input's shape {ShapeText.Of(x)}.");
        if (v.IsInvalid)
            throw new ArgumentException($"{api}: {name} has been disposed.", name);
        if (ShapeText.Equal(v.shape, x.shape))
            return;
        string hint = ShapeText.Equal(v.shape, y.shape)
            ? $" Your {name} has f(x)'s shape {ShapeText.Of(v)}: that is the shape of a VJP cotangent; use Vjp for vᵀ·J."
            : "";
        throw new ArgumentException(
            $"{api}: {name} has shape {ShapeText.Of(v)}, but the input has shape {ShapeText.Of(x)}. " +
            "A Jacobian-vector product computes J·v, the directional derivative of f along v: v is a direction in input space " +
            $"and must have the input's shape {ShapeText.Of(x)}." + hint,
            name);
    }

    public static void Tangents(Tensor[] xs, Tensor[]? vs, Tensor y, string api)
    {
        ArgumentNullException.ThrowIfNull(vs);
        if (vs.Length != xs.Length)
            throw new ArgumentException(
                $"{api}: got {vs.Length} direction tensors for {xs.Length} inputs; pass one direction per input, each with that input's shape.",
                nameof(vs));
        for (int i = 0; i < xs.Length; i++)
            Tangent(xs[i], vs[i], y, $"vs[{i}]", api);
    }

    public static void SameShapeAsInput(Tensor x, Tensor y, string api)
    {
        if (ShapeText.Equal(x.shape, y.shape))
            return;
        throw new ArgumentException(
            $"{api} is for elementwise functions (y_i = g(x_i)), whose Jacobian is diagonal, but f(x) has shape {ShapeText.Of(y)} " +
            $"while x has shape {ShapeText.Of(x)}. Use Jacobian(f, x) for the full matrix, or Vjp(f, x, v) for vᵀ·J.", "f");
    }

    public static void Order(int order, string api)
    {
        if (order < 0)
            throw new ArgumentOutOfRangeException(nameof(order), order,
                $"{api}: order is the number of times to differentiate and must be 0 or more; got {order}.");
    }
}
