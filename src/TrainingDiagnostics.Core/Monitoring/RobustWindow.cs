namespace TrainingDiagnostics.Monitoring;

/// <summary>The last n values of a signal with robust location and spread: the median and the MAD (scaled to a standard deviation).</summary>
internal sealed class RobustWindow
{
    private readonly double[] _values;
    private int _next;

    public RobustWindow(int capacity)
    {
        _values = new double[Math.Max(capacity, 3)];
    }

    public int Count { get; private set; }

    public void Add(double value)
    {
        if (!double.IsFinite(value))
            return;
        _values[_next] = value;
        _next = (_next + 1) % _values.Length;
        Count = Math.Min(Count + 1, _values.Length);
    }

    /// <summary>The median and 1.4826·MAD (a standard deviation for Gaussian data, robust to outliers).</summary>
    public (double Median, double Spread) Statistics()
    {
        if (Count == 0)
            return (double.NaN, double.NaN);
        var sorted = _values.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        double median = Median(sorted);
        var deviations = sorted.Select(v => Math.Abs(v - median)).ToArray();
        Array.Sort(deviations);
        return (median, 1.4826 * Median(deviations));
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
