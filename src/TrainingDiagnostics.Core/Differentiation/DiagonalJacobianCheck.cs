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
    private const int PatternLength = 65_521; // the largest prime below 2^16

    private static readonly ConcurrentDictionary<(ScalarType DType, string Device), Tensor> Patterns = new();

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

        var r = RandomDirection(leaf);
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

    /// <summary>
    /// A random vector of the leaf's shape, dtype and device, uniform in [-1/2, 1/2): a fixed random pattern of prime length
    /// (drawn once per dtype and device from a private generator, so the global random state is never touched), tiled to
    /// the leaf's size. Tiling costs one copy where drawing 10^6 fresh numbers costs several times the backward pass; a
    /// prime period keeps the pattern from lining up with tensor dimensions (a Jacobian that couples only elements exactly
    /// a multiple of 65,521 apart would escape, which no practical layer does).
    /// </summary>
    private static Tensor RandomDirection(Tensor leaf)
    {
        var pattern = Patterns.GetOrAdd((leaf.dtype, leaf.device.ToString()), key =>
        {
            using var generator = new Generator(Seed);
            using var draw = rand(PatternLength, dtype: ScalarType.Float64, generator: generator);
            return draw.sub(0.5).to(key.DType, leaf.device).DetachFromDisposeScope();
        });
        long n = leaf.numel();
        var tiled = (n <= PatternLength ? pattern : pattern.repeat((n + PatternLength - 1) / PatternLength)).narrow(0, 0, n);
        return tiled.view(leaf.shape);
    }

    private static bool Close(Tensor actual, Tensor expected, ScalarType dtype)
    {
        double rtol = dtype == ScalarType.Float64 ? 1e-9 : dtype == ScalarType.Float32 ? 1e-4 : 1e-2;
        using var scope = NewDisposeScope();
        var a = actual.detach();
        var e = expected.detach();
        // Fast path (everything finite, the usual case): max |a - e| against rtol · max |e|, five cheap passes and one
        // transfer; allclose costs several times the backward pass on large tensors.
        var summary = stack(new[] { (a - e).abs().max(), e.abs().max() }).to(ScalarType.Float64).cpu().data<double>().ToArray();
        if (double.IsFinite(summary[0]) && double.IsFinite(summary[1]))
            return summary[0] <= rtol * Math.Max(summary[1], 1e-30);
        // Infinite or NaN derivatives (sqrt at 0): they must sit at the same places with the same values.
        var scale = e.abs().nan_to_num(0, 0, 0).max().ToDouble();
        return a.allclose(e, rtol, rtol * Math.Max(scale, 1e-30), equal_nan: true);
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
