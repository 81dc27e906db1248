namespace TrainingDiagnostics.Model;

/// <summary>
/// A whole training run as read from (or about to be written to) a run log: its metadata and one list per record kind
/// (<see cref="RunLogKinds.All"/> says which list holds which kind).
/// </summary>
public sealed record DiagnosticsRun
{
    /// <summary>The run's metadata (the run log's header line).</summary>
    public required RunMetadata Metadata { get; init; }

    /// <summary>The recorded steps in log order. Never null; may be empty.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = [];

    /// <summary>The incidents of the run, in the order they were recorded.</summary>
    public IReadOnlyList<AnomalyEvent> Anomalies { get; init; } = [];

    /// <summary>User-reported metrics (validation loss, accuracy...), in the order they were recorded.</summary>
    public IReadOnlyList<MetricRecord> Metrics { get; init; } = [];

    /// <summary>Profiles of the data the run was trained on (from a data-profiling pipeline stage), in record order.</summary>
    public IReadOnlyList<DataProfileRecord> DataProfiles { get; init; } = [];

    /// <summary>Observed fits of pipeline stages (duration, log lines, error), in record order.</summary>
    public IReadOnlyList<ObservedFitRecord> ObservedFits { get; init; } = [];

    /// <summary>Curvature estimates of the training loss (top Hessian eigenvalue, Hessian trace), in record order.</summary>
    public IReadOnlyList<CurvatureRecord> Curvature { get; init; } = [];

    /// <summary>Contained failures of the monitor's optional instruments, in record order.</summary>
    public IReadOnlyList<InstrumentFailureRecord> InstrumentFailures { get; init; } = [];

    /// <summary>What the monitor's Heal policy did and how it turned out, in record order.</summary>
    public IReadOnlyList<HealRecord> Heals { get; init; } = [];

    /// <summary>
    /// <see langword="false"/> when the log ended in a line cut mid-way: the training crashed (or was still
    /// writing) and the step in flight was lost. Everything before it is intact.
    /// </summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>
    /// How many lines of a kind this reader does not know were skipped (written by a newer version).
    /// </summary>
    public int SkippedRecordCount { get; init; }

    /// <summary>Value equality, comparing the records of every kind (<see cref="RunLogKinds.All"/>) element by element.</summary>
    /// <param name="other">The run to compare with.</param>
    /// <returns><see langword="true"/> when metadata, flags and every step are equal.</returns>
    public bool Equals(DiagnosticsRun? other) =>
        other is not null
        && Metadata.Equals(other.Metadata)
        && IsComplete == other.IsComplete
        && SkippedRecordCount == other.SkippedRecordCount
        && RunLogKinds.All.All(kind => kind.SameRecords(this, other));

    /// <summary>A hash consistent with <see cref="Equals(DiagnosticsRun?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Metadata, IsComplete, Steps.Count);
}
