namespace TrainingDiagnostics.Report;

/// <summary>Options for <see cref="HtmlReport"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>The page title; by default <c>Training report: </c> followed by the run name (<c>Comparison: </c> and the names for several runs).</summary>
    public string? Title { get; init; }

    /// <summary>
    /// About how many points a line chart keeps per series. Longer runs are downsampled with LTTB
    /// (largest-triangle-three-buckets), which keeps spikes and the line's shape; every step with an incident is
    /// kept exactly on top of that, and non-finite values are always marked. At least 3; default 2000.
    /// </summary>
    public int MaxChartPoints { get; init; } = 2000;

    /// <summary>
    /// The most step columns of the gradient heatmap. Longer runs are grouped into this many runs of consecutive
    /// steps, each showing its largest value (a spike or a NaN survives). At least 1; default 720.
    /// </summary>
    public int MaxHeatmapColumns { get; init; } = 720;

    /// <summary>The most incidents shown with full detail; the rest are counted by kind and module. At least 0; default 200.</summary>
    public int MaxIncidentDetails { get; init; } = 200;

    internal void Validate()
    {
        if (MaxChartPoints < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChartPoints), MaxChartPoints,
                "ReportOptions.MaxChartPoints must be at least 3 (the downsampler keeps the first, the last and one point between).");
        }

        if (MaxHeatmapColumns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxHeatmapColumns), MaxHeatmapColumns, "ReportOptions.MaxHeatmapColumns must be at least 1.");
        }

        if (MaxIncidentDetails < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIncidentDetails), MaxIncidentDetails, "ReportOptions.MaxIncidentDetails must not be negative.");
        }
    }
}
