namespace TrainingDiagnostics.Report.Findings;

/// <summary>The verdict on a run: its level and every finding, most important first.</summary>
public sealed record RunVerdict
{
    /// <summary>How many findings the report shows at the top.</summary>
    public const int TopCount = 3;

    /// <summary>Healthy, warnings or failed: the most severe finding decides.</summary>
    public required VerdictLevel Level { get; init; }

    /// <summary>Every finding, most important first (severity, then the earliest step, then rule order).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>The <see cref="TopCount"/> most important findings.</summary>
    public IReadOnlyList<Finding> Top => Findings.Take(TopCount).ToList();

    /// <summary>The level as a person says it: <c>Healthy</c>, <c>Warnings</c> or <c>Failed</c>.</summary>
    public string Label => Level switch
    {
        VerdictLevel.Healthy => "Healthy",
        VerdictLevel.Warnings => "Warnings",
        _ => "Failed",
    };
}
