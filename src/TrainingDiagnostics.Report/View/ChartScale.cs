namespace TrainingDiagnostics.Report.View;

/// <summary>
/// Which value scale a chart uses: a positive series spanning more than <see cref="LogRatio"/> (three decades) reads better
/// on a log scale. The view decides it for the charts it carries; the SVG writers apply the same rule to what they draw.
/// </summary>
internal static class ChartScale
{
    /// <summary>A positive series spanning more than this ratio (three decades) is drawn on a log scale.</summary>
    public const double LogRatio = 1e3;

    /// <summary>Whether values spanning [min, max] read better on a log scale (all positive, &gt; three decades).</summary>
    public static bool PrefersLog(double min, double max) => min > 0 && max / min > LogRatio;

    /// <summary>Whether the finite points of <paramref name="series"/> together read better on a log scale.</summary>
    public static bool PrefersLog(IEnumerable<ChartSeries> series)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach ((long _, double value) in series.SelectMany(s => s.Points))
        {
            (min, max) = (Math.Min(min, value), Math.Max(max, value));
        }

        return double.IsFinite(min) && PrefersLog(min, max);
    }
}
