namespace TrainingDiagnostics.Report.Findings;

/// <summary>The one-word answer at the top of a report.</summary>
public enum VerdictLevel
{
    /// <summary>No warning and no critical finding.</summary>
    Healthy,

    /// <summary>At least one warning, no critical finding.</summary>
    Warnings,

    /// <summary>At least one critical finding.</summary>
    Failed,
}
