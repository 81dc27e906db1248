namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// The quantile sketch's bucket of a positive value, ⌈ln v / ln γ⌉, exactly as <see cref="Math.Log(double)"/> computes
/// it, without calling it for almost every value: a table holds, for each bucket of values from about 1e-30 to 1e30, the
/// least double whose computed index reaches it (found once by bisection with the same expression); a value's bucket is
/// then where its bits fall between two thresholds, a few integer comparisons.
/// </summary>
/// <remarks>
/// Why that is the same answer: the computed ln v / ln γ is within a few units in the last place of the true quotient, so
/// the computed index can differ from the exact step function only within a few hundred ULPs of a true boundary; the
/// bisection's threshold lies inside that zone. A value within <see cref="Margin"/> ULPs (65,536) of a threshold, or
/// outside the table, is computed with <see cref="Math.Log(double)"/> as before; a bucket spans about 10^14 ULPs.
/// </remarks>
internal static class LogBucketIndex
{
    /// <summary>The lowest and highest bucket in the table (values from about 1e-30 to 1e30 at γ = 1.02).</summary>
    private const int Lowest = -3500, Highest = 3500;

    /// <summary>ULPs on either side of a threshold where the index is computed, not looked up.</summary>
    private const long Margin = 1L << 16;

    /// <summary>Cells of 64 per binade (a double's bits shifted right by 46): each spans less than a bucket (1.6 % against 2 %).</summary>
    private const int CellShift = 46;

    private static readonly double LogGamma = Math.Log(QuantileSketch.Gamma);

    /// <summary>Thresholds[i - Lowest]: the bits of the least double whose computed index is at least i.</summary>
    private static readonly long[] Thresholds = Build();

    /// <summary>The first cell in <see cref="Cells"/>: the one holding 1e-30.</summary>
    private static readonly long FirstCell = BitConverter.DoubleToInt64Bits(1e-30) >> CellShift;

    /// <summary>Cells[c]: the position in <see cref="Thresholds"/> of the bucket holding the least value of cell FirstCell + c (up to 1e30).</summary>
    private static readonly int[] Cells = BuildCells();

    /// <summary>The bucket index of <paramref name="value"/> (positive and finite): ⌈ln v / ln γ⌉ as computed.</summary>
    public static int Of(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        long cell = (bits >> CellShift) - FirstCell;
        int[] cells = Cells;
        if ((ulong)cell >= (ulong)cells.Length)
        {
            return Computed(value);
        }

        // A cell is narrower than a bucket: at most one threshold inside it, so at most one step up.
        long[] t = Thresholds;
        int j = cells[cell];
        j += bits >= t[j + 1] ? 1 : 0;
        return bits - t[j] < Margin || t[j + 1] - bits <= Margin ? Computed(value) : j + Lowest;
    }

    /// <summary>The index as the sketch defines it.</summary>
    public static int Computed(double value) => (int)Math.Ceiling(Math.Log(value) / LogGamma);

    private static int[] BuildCells()
    {
        var cells = new int[(int)((BitConverter.DoubleToInt64Bits(1e30) >> CellShift) - FirstCell + 1)];
        int j = 0;
        for (int c = 0; c < cells.Length; c++)
        {
            long least = (FirstCell + c) << CellShift;
            while (Thresholds[j + 1] <= least)
            {
                j++;
            }

            cells[c] = j;
        }

        return cells;
    }

    private static long[] Build()
    {
        var thresholds = new long[Highest - Lowest + 1];
        for (int i = Lowest; i <= Highest; i++)
        {
            // The true boundary: ln v / ln γ crosses i - 1. Bracket it, then bisect on the bits.
            double boundary = Math.Exp((i - 1) * LogGamma);
            double width = 1e-10;
            long lo, hi;
            while (true)
            {
                lo = BitConverter.DoubleToInt64Bits(boundary * (1 - width));
                hi = BitConverter.DoubleToInt64Bits(boundary * (1 + width));
                if (Computed(BitConverter.Int64BitsToDouble(lo)) < i && Computed(BitConverter.Int64BitsToDouble(hi)) >= i)
                {
                    break;
                }

                width *= 10;
            }

            while (hi - lo > 1)
            {
                long mid = lo + ((hi - lo) / 2);
                if (Computed(BitConverter.Int64BitsToDouble(mid)) >= i)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid;
                }
            }

            thresholds[i - Lowest] = hi;
        }

        return thresholds;
    }
}
