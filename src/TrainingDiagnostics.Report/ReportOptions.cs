namespace TrainingDiagnostics.Report;

/// <summary>Options for <see cref="HtmlReport"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>The page title; by default <c>Training report: </c> followed by the run name.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// The most points the loss chart draws. Longer runs are downsampled per bucket to their minimum and
    /// maximum, so spikes survive; non-finite steps are always marked exactly. At least 2; default 2000.
    /// </summary>
    public int MaxChartPoints { get; init; } = 2000;
}
