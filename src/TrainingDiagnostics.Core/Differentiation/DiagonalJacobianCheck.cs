using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Differentiation;

/// <summary>
/// Verifies that f is elementwise (its Jacobian is diagonal), given the candidate diagonal d = 1ᵀ·J from one backward pass.
/// </summary>
/// <remarks>
/// For a diagonal J, the backward pass with ones gives exactly the diagonal. For any other J it gives column sums,
/// silently wrong: the seed thread's "this won't be true as soon as your Jacobian is not diagonal". The test is exact:
/// one more backward pass through the retained graph with a random vector r, and rᵀ·J must equal r ⊙ d.
/// <para>Whether a Jacobian is diagonal is a structural property of f, so a confirmation is remembered per delegate and
/// input signature (shape, dtype, device): repeated calls with the same f on inputs of the same kind cost one backward pass,
/// as the bare libtorch pattern does. f is never re-evaluated on another shape (a shape error in some libtorch operations,
/// matmul among them, aborts the process in TorchSharp 0.107).</para>
/// </remarks>
internal static class DiagonalJacobianCheck
{
    private const int Seed = 20261125;

    private static readonly ConditionalWeakTable<Delegate, ConcurrentDictionary<string, bool>> Confirmed = new();

    /// <summary>Throws an <see cref="ArgumentException"/> when the Jacobian of f at the leaf is not diagonal.</summary>
    /// <param name="f">The user's function (the cache key).</param>
    /// <param name="leaf">The input leaf, requiring grad.</param>
    /// <param name="y">f(leaf), whose graph must still be retained.</param>
    /// <param name="diagonal">The candidate diagonal, 1ᵀ·J.</param>
    /// <param name="api">The public method name, for messages.</param>
    public static void Verify(Delegate f, Tensor leaf, Tensor y, Tensor diagonal, string api)
    {
        if (leaf.numel() <= 1)
            return;
        var signature = $"{ShapeText.Of(leaf)}|{leaf.dtype}|{leaf.device}";
        var known = Confirmed.GetOrCreateValue(f);
        if (known.ContainsKey(signature))
            return;

        // r uniform in [-1/2, 1/2) from a private generator: the global random state is not touched.
        using var generator = new Generator(Seed);
        var r = rand(leaf.shape, dtype: y.dtype, generator: generator).sub_(0.5).to(y.device);
        var rTJ = ReversePass.Backward(y, r, leaf, createGraph: false, retainGraph: true, api);
        if (Close(rTJ, r * diagonal, y.dtype))
        {
            known.TryAdd(signature, true);
            return;
        }

        var (i, a, b) = WorstMismatch(rTJ, r * diagonal);
        throw new ArgumentException(
            $"{api} is only for elementwise functions (y_i depends on x_i alone, so the Jacobian is diagonal), " +
            $"but the Jacobian of this f is not diagonal: for a random vector r, (rᵀ·J)[{i}] = {a:G6} while r[{i}]·J[{i},{i}] would give {b:G6}. " +
            "A backward pass with ones would return column sums of J here, not derivatives dy_i/dx_i. " +
            "Use Jacobian(f, x) for the whole matrix, or Vjp(f, x, v) for vᵀ·J.", "f");
    }

    private static bool Close(Tensor actual, Tensor expected, ScalarType dtype)
    {
        double rtol = dtype == ScalarType.Float64 ? 1e-9 : dtype == ScalarType.Float32 ? 1e-4 : 1e-2;
        using var scale = expected.detach().abs().nan_to_num(0, 0, 0).max();
        double atol = rtol * Math.Max(scale.ToDouble(), 1e-30);
        return actual.detach().allclose(expected.detach(), rtol, atol, equal_nan: true);
    }

    private static (long Index, double Actual, double Expected) WorstMismatch(Tensor actual, Tensor expected)
    {
        using var a = actual.detach().reshape(-1).to(ScalarType.Float64).cpu();
        using var b = expected.detach().reshape(-1).to(ScalarType.Float64).cpu();
        using var gap = (a - b).abs().nan_to_num(double.PositiveInfinity);
        long i = gap.argmax().ToInt64();
        return (i, a[i].ToDouble(), b[i].ToDouble());
    }
}
