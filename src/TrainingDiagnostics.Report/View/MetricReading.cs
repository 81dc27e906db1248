using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// A metric's reading: which way is better, how many values, the first and last (finite or not) and the best finite one
/// (null when the direction is unknown or no value is finite), each with its step.
/// </summary>
internal sealed record MetricReading(MetricDirection Direction, int Count, bool AnyFinite, (long Step, double Value) First,
    (long Step, double Value)? Best, (long Step, double Value) Last) : ChartReading
{
    /// <summary>The reading of <paramref name="metric"/>: ties for the best keep the earliest value.</summary>
    public static MetricReading Of(MetricHistory metric)
    {
        int[] finite = Enumerable.Range(0, metric.Values.Length).Where(i => double.IsFinite(metric.Values[i])).ToArray();
        (long, double) At(int i) => (metric.Steps[i], metric.Values[i]);
        (long, double)? best = finite.Length == 0 || metric.Direction == MetricDirection.Unknown ? null
            : At(finite.Aggregate((a, b) => metric.IsBetter(metric.Values[b], metric.Values[a]) ? b : a));
        return finite.Length == 0
            ? new MetricReading(metric.Direction, metric.Values.Length, false, default, null, default)
            : new MetricReading(metric.Direction, metric.Values.Length, true, At(0), best, At(metric.Values.Length - 1));
    }
}
