using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report;

/// <summary>What a report rendered from run logs says, for a caller that prints a summary without reading the logs again.</summary>
public sealed record ReportSummary
{
    /// <summary>The run's metadata (for merged rank logs: the lowest rank's, with a <c>ranks</c> tag).</summary>
    public required RunMetadata Metadata { get; init; }

    /// <summary>The verdict and every finding.</summary>
    public required RunVerdict Verdict { get; init; }

    /// <summary><see langword="false"/> when a log ended in a line cut mid-way.</summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>The number of step records (after merging ranks).</summary>
    public long StepCount { get; init; }

    /// <summary>The number of incidents.</summary>
    public long IncidentCount { get; init; }
}
