namespace TrainingDiagnostics.Kernels;

/// <summary>
/// Summary statistics of a float buffer, from one pass of
/// <see cref="PointwiseEngine.Statistics(ReadOnlySpan{float})"/>. Sums are accumulated in double.
/// </summary>
/// <param name="Count">Number of elements.</param>
/// <param name="NaNCount">Elements that are NaN.</param>
/// <param name="PositiveInfinityCount">Elements that are +∞.</param>
/// <param name="NegativeInfinityCount">Elements that are −∞.</param>
/// <param name="SumOfSquares">Σx² over the finite elements, in double (a float32 sum would overflow or lose digits).</param>
/// <param name="Minimum">The smallest finite element; NaN when there is none.</param>
/// <param name="Maximum">The largest finite element; NaN when there is none.</param>
public readonly record struct BufferStatistics(
    long Count,
    long NaNCount,
    long PositiveInfinityCount,
    long NegativeInfinityCount,
    double SumOfSquares,
    double Minimum,
    double Maximum)
{
    /// <summary>Elements that are ±∞.</summary>
    public long InfinityCount => PositiveInfinityCount + NegativeInfinityCount;

    /// <summary>Elements that are neither NaN nor ±∞.</summary>
    public long FiniteCount => Count - NaNCount - InfinityCount;

    /// <summary>√(Σx²) over the finite elements: the L2 norm of the buffer's finite part.</summary>
    public double Norm => Math.Sqrt(SumOfSquares);
}
