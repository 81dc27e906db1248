using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels;

/// <summary>Storage for <see cref="JetLanes{TCoefficients}"/> of orders 0..1: 2 SIMD vectors of doubles.</summary>
[InlineArray(2)]
public struct LanesUpToOrder1 : ILaneCoefficients
{
    private Vector<double> _element;

    /// <inheritdoc/>
    public static int Capacity => 2;
}
