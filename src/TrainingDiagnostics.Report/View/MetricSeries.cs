using TrainingDiagnostics.Report.Analysis;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.View;

/// <summary>The lines of a run's user metrics, as the report and the comparison draw them: colour classes, downsampled series, short names.</summary>
internal static class MetricSeries
{
    /// <summary>How many metric and series colours the stylesheet defines (<c>m0</c>..<c>m5</c>, <c>s0</c>..<c>s5</c>).</summary>
    public const int Colours = 6;

    /// <summary>The CSS classes of the metric at <paramref name="index"/> (its colour).</summary>
    public static string MetricClass(int index) => Invariant($"metric m{index % Colours}");

    /// <summary>The metric's series, downsampled like the loss, with a dot per value.</summary>
    public static ChartSeries For(MetricHistory metric, string cssClass, int maxPoints) =>
        ChartSeries.Build(metric.Name, cssClass, metric.Steps, metric.Values.Select(v => (double?)v).ToArray(), maxPoints, new HashSet<long>()) with { Dots = true };

    /// <summary>The last segment of a path-like name: <c>validation/accuracy</c> gives <c>accuracy</c>.</summary>
    public static string ShortName(string name)
    {
        string last = name.TrimEnd('/').Split('/')[^1];
        return last.Length == 0 ? name : last;
    }
}
