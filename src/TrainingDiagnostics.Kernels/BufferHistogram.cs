namespace TrainingDiagnostics.Kernels;

/// <summary>
/// A histogram with fixed, equal-width bins over [<see cref="Minimum"/>, <see cref="Maximum"/>], from
/// <see cref="PointwiseEngine.Histogram(ReadOnlySpan{float}, double, double, int)"/>.
/// </summary>
/// <remarks>
/// A finite value x falls into bin <c>floor((x − Minimum) · (BinCount / (Maximum − Minimum)))</c>,
/// computed in double, with x = Maximum in the last bin; values below or above the range are counted in
/// <see cref="Underflow"/> and <see cref="Overflow"/>, NaN and ±∞ in <see cref="NonFinite"/>.
/// </remarks>
public sealed class BufferHistogram
{
    internal BufferHistogram(double minimum, double maximum, long[] counts, long underflow, long overflow, long nonFinite)
    {
        Minimum = minimum;
        Maximum = maximum;
        Counts = counts;
        Underflow = underflow;
        Overflow = overflow;
        NonFinite = nonFinite;
    }

    /// <summary>The lower edge of the first bin.</summary>
    public double Minimum { get; }

    /// <summary>The upper edge of the last bin (included in it).</summary>
    public double Maximum { get; }

    /// <summary>The number of bins.</summary>
    public int BinCount => Counts.Count;

    /// <summary>The width of each bin, (Maximum − Minimum) / BinCount.</summary>
    public double BinWidth => (Maximum - Minimum) / Counts.Count;

    /// <summary>The count of finite values in each bin.</summary>
    public IReadOnlyList<long> Counts { get; }

    /// <summary>Finite values below <see cref="Minimum"/>.</summary>
    public long Underflow { get; }

    /// <summary>Finite values above <see cref="Maximum"/>.</summary>
    public long Overflow { get; }

    /// <summary>NaN and ±∞ values.</summary>
    public long NonFinite { get; }

    /// <summary>The lower edge of bin <paramref name="bin"/>: Minimum + bin·BinWidth.</summary>
    /// <param name="bin">The bin index, 0..BinCount.</param>
    public double LowerEdge(int bin) => Minimum + bin * BinWidth;
}
