using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// <see cref="JetLanes"/> with room for orders 0..4 only: the same rules (<c>TaylorRules</c>, through
/// <see cref="LaneArithmetic{TLanes}"/>) on 5 coefficient vectors instead of 9, so that every struct copy (each
/// operator argument and result) moves 5 vectors; the CPU executor uses it for orders up to 4. Its
/// numbers are bit-identical to <see cref="JetLanes"/>'s. Its members are written from the lane jets' one template (the
/// source generator in src/TrainingDiagnostics.Kernels.Generators); this file holds its one specialization, order 4 unrolled.
/// </summary>
[SkipLocalsInit]
[LaneJet(5, UnrollsFullOrder = true)]
internal partial struct JetLanes4
{
    // ---- order 4 exactly (the executor's case for maxOrder 4): the rules unrolled, straight-line code with constant
    // indices (no loops, no bounds checks), measured faster (the Kernels Taylor-orders benchmark). The same operations
    // in the same order as TaylorRules' Multiply and ChainCoefficient (y_k = u_k·g_0 + Σ_(j=1..k−1) (j/k)·u_j·g_(k−j)),
    // so the numbers are bit-identical (JetLanesTests guards it); the one exact rewrite is 1·x = x.

    private const int FullOrder = Capacity - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 MultiplyFull(ref JetLanes4 a, ref JetLanes4 b)
    {
        Vector<double> a0 = a._c[0], a1 = a._c[1], a2 = a._c[2], a3 = a._c[3], a4 = a._c[4];
        Vector<double> b0 = b._c[0], b1 = b._c[1], b2 = b._c[2], b3 = b._c[3], b4 = b._c[4];
        var r = Uninitialized(FullOrder);
        r._c[0] = a0 * b0;
        r._c[1] = a0 * b1 + a1 * b0;
        r._c[2] = a0 * b2 + a1 * b1 + a2 * b0;
        r._c[3] = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
        r._c[4] = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0;
        return r;
    }

    /// <summary>exp(u) at order 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 ExpFull(ref JetLanes4 u)
    {
        Vector<double> u1 = u._c[1], u2 = u._c[2], u3 = u._c[3], u4 = u._c[4];
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        var y0 = VectorMath.Exp(u._c[0]);
        var y1 = u1 * y0;
        var y2 = u2 * y0 + half * u1 * y1;
        var y3 = u3 * y0 + third * u1 * y2 + twoThirds * u2 * y1;
        var y4 = u4 * y0 + quarter * u1 * y3 + half * u2 * y2 + threeQuarters * u3 * y1;
        var y = Uninitialized(FullOrder);
        y._c[0] = y0;
        y._c[1] = y1;
        y._c[2] = y2;
        y._c[3] = y3;
        y._c[4] = y4;
        return y;
    }

    /// <summary>sin or cos of u at order 4, the two recurrences fused: s' = c·u', c' = −s·u'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JetLanes4 SinOrCosFull(ref JetLanes4 u, bool wantSin)
    {
        Vector<double> u1 = u._c[1], u2 = u._c[2], u3 = u._c[3], u4 = u._c[4];
        Vector<double> half = new(1.0 / 2), third = new(1.0 / 3), twoThirds = new(2.0 / 3), quarter = new(1.0 / 4), threeQuarters = new(3.0 / 4);
        VectorMath.SinCos(u._c[0], out var s0, out var c0);
        var s1 = u1 * c0;
        var c1 = -(u1 * s0);
        var s2 = u2 * c0 + half * u1 * c1;
        var c2 = -(u2 * s0 + half * u1 * s1);
        var s3 = u3 * c0 + third * u1 * c2 + twoThirds * u2 * c1;
        var c3 = -(u3 * s0 + third * u1 * s2 + twoThirds * u2 * s1);
        var y = Uninitialized(FullOrder);
        if (wantSin)
        {
            y._c[0] = s0;
            y._c[1] = s1;
            y._c[2] = s2;
            y._c[3] = s3;
            y._c[4] = u4 * c0 + quarter * u1 * c3 + half * u2 * c2 + threeQuarters * u3 * c1;
        }
        else
        {
            y._c[0] = c0;
            y._c[1] = c1;
            y._c[2] = c2;
            y._c[3] = c3;
            y._c[4] = -(u4 * s0 + quarter * u1 * s3 + half * u2 * s2 + threeQuarters * u3 * s1);
        }

        return y;
    }
}
