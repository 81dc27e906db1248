namespace TrainingDiagnostics.Export;

/// <summary>What <see cref="ParquetExport"/> wrote.</summary>
public sealed record ParquetExportSummary
{
    /// <summary>The folder holding the four tables.</summary>
    public required string Directory { get; init; }

    /// <summary>The run logs read.</summary>
    public int LogCount { get; init; }

    /// <summary>Rows of <c>steps.parquet</c> (one per parameter per step).</summary>
    public long StepRows { get; init; }

    /// <summary>Rows of <c>scalars.parquet</c>.</summary>
    public long ScalarRows { get; init; }

    /// <summary>Rows of <c>incidents.parquet</c>.</summary>
    public long IncidentRows { get; init; }

    /// <summary>Rows of <c>findings.parquet</c>.</summary>
    public long FindingRows { get; init; }

    /// <summary>The logs whose last line was cut (a crashed or running training): everything before it was exported.</summary>
    public IReadOnlyList<string> IncompleteLogs { get; init; } = [];
}
