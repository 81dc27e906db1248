using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels;

/// <summary>Storage for <see cref="JetLanes{TCoefficients}"/> of orders 0..4: 5 SIMD vectors of doubles.</summary>
[InlineArray(5)]
public struct LanesUpToOrder4 : ILaneCoefficients
{
    private Vector<double> _element;

    /// <inheritdoc/>
    public static int Capacity => 5;
}
