namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The last n values of a signal with robust location and spread: the median and the MAD (scaled to a standard deviation).
/// The values are also kept sorted, updated in place as the window slides, so both statistics cost O(n) without sorting
/// or allocating: the monitor asks for them at every step.
/// </summary>
internal sealed class RobustWindow
{
    private readonly double[] _values;
    private readonly double[] _sorted;
    private int _next;

    public RobustWindow(int capacity)
    {
        _values = new double[Math.Max(capacity, 3)];
        _sorted = new double[_values.Length];
    }

    public int Count { get; private set; }

    public void Add(double value)
    {
        if (!double.IsFinite(value))
            return;
        if (Count == _values.Length)
            RemoveSorted(_values[_next]);
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        InsertSorted(value);
    }

    /// <summary>The median and 1.4826·MAD (a standard deviation for Gaussian data, robust to outliers).</summary>
    public (double Median, double Spread) Statistics()
    {
        if (Count == 0)
            return (double.NaN, double.NaN);
        var sorted = _sorted.AsSpan(0, Count);
        double median = Median(sorted);
        return (median, 1.4826 * MedianAbsoluteDeviation(sorted, median));
    }

    private void InsertSorted(double value)
    {
        int at = _sorted.AsSpan(0, Count).BinarySearch(value);
        if (at < 0)
            at = ~at;
        Array.Copy(_sorted, at, _sorted, at + 1, Count - at);
        _sorted[at] = value;
        Count++;
    }

    private void RemoveSorted(double value)
    {
        int at = _sorted.AsSpan(0, Count).BinarySearch(value);
        Array.Copy(_sorted, at + 1, _sorted, at, Count - at - 1);
        Count--;
    }

    private static double Median(ReadOnlySpan<double> sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);

    /// <summary>
    /// The median of |v - median| over sorted values: the deviations below the median grow leftwards and those above it
    /// grow rightwards, so merging the two runs outward from the median yields the deviations in ascending order.
    /// </summary>
    private static double MedianAbsoluteDeviation(ReadOnlySpan<double> sorted, double median)
    {
        int n = sorted.Length;
        int right = sorted.BinarySearch(median);
        if (right < 0)
            right = ~right;
        else
            while (right > 0 && sorted[right - 1] == median)
                right--;
        int left = right - 1;
        int lower = (n - 1) / 2, upper = n / 2;
        double lowerValue = 0;
        for (int k = 0; k <= upper; k++)
        {
            double next;
            if (left < 0 || (right < n && sorted[right] - median <= median - sorted[left]))
                next = sorted[right++] - median;
            else
                next = median - sorted[left--];
            if (k == lower)
                lowerValue = next;
            if (k == upper)
                return 0.5 * (lowerValue + next);
        }
        return lowerValue;
    }
}
