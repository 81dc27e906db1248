using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels;

/// <summary>Storage for <see cref="JetLanes{TCoefficients}"/> of orders 0..8: 9 SIMD vectors of doubles.</summary>
[InlineArray(9)]
public struct LanesUpToOrder8 : ILaneCoefficients
{
    private Vector<double> _element;

    /// <inheritdoc/>
    public static int Capacity => 9;
}
