namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The coefficient storage of a <see cref="JetLanes{TCoefficients}"/>: an <c>[InlineArray]</c> of
/// <see cref="Capacity"/> SIMD vectors of doubles, one per Taylor order 0..Capacity−1. Pick the smallest that holds
/// the order you need (<see cref="LanesUpToOrder1"/>, <see cref="LanesUpToOrder4"/>, <see cref="LanesUpToOrder8"/>):
/// every operator argument and result is a struct copy of the whole storage, and above 256 bytes the JIT copies
/// through a helper call.
/// </summary>
public interface ILaneCoefficients
{
    /// <summary>The number of coefficient vectors the storage holds (the highest order plus one).</summary>
    static abstract int Capacity { get; }
}
