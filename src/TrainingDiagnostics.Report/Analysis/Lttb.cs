namespace TrainingDiagnostics.Report.Analysis;

/// <summary>
/// Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point and, in each
/// bucket between, the point forming the largest triangle with the previous kept point and the next bucket's
/// mean. Peaks and troughs survive, so the line keeps its shape. O(n).
/// </summary>
internal static class Lttb
{
    /// <summary>The indices of the kept points, ascending; all of them when <paramref name="threshold"/> &gt;= n.</summary>
    public static int[] Select(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int threshold)
    {
        int n = x.Length;
        if (threshold >= n || n <= 2)
        {
            return Enumerable.Range(0, n).ToArray();
        }

        threshold = Math.Max(threshold, 3);
        var kept = new int[threshold];
        double every = (n - 2) / (double)(threshold - 2);
        int a = 0;
        kept[0] = 0;
        for (int i = 0; i < threshold - 2; i++)
        {
            int nextStart = (int)Math.Floor(((i + 1) * every) + 1), nextEnd = Math.Min(n, (int)Math.Floor(((i + 2) * every) + 1));
            double meanX = 0, meanY = 0;
            for (int j = nextStart; j < nextEnd; j++)
            {
                meanX += x[j];
                meanY += y[j];
            }

            int count = Math.Max(1, nextEnd - nextStart);
            (meanX, meanY) = (meanX / count, meanY / count);

            int start = (int)Math.Floor((i * every) + 1), end = (int)Math.Floor(((i + 1) * every) + 1);
            double best = -1;
            int chosen = start;
            for (int j = start; j < end; j++)
            {
                double area = Math.Abs(((x[a] - meanX) * (y[j] - y[a])) - ((x[a] - x[j]) * (meanY - y[a])));
                if (area > best)
                {
                    best = area;
                    chosen = j;
                }
            }

            kept[i + 1] = chosen;
            a = chosen;
        }

        kept[threshold - 1] = n - 1;
        return kept;
    }
}
