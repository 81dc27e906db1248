namespace TrainingDiagnostics.Model;

/// <summary>
/// The profile of a data set taken by a profiling stage of a pipeline (ML.NET's <c>ProfileData</c>): one
/// <see cref="ColumnProfile"/> per column, the spread of scales across columns, and the findings drawn from them.
/// </summary>
public sealed record DataProfileRecord
{
    /// <summary>The name of the stage or data set profiled, for example <c>"training data"</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The rows seen.</summary>
    public required long RowCount { get; init; }

    /// <summary>The profiled columns, in the order asked for.</summary>
    public IReadOnlyList<ColumnProfile> Columns { get; init; } = [];

    /// <summary>
    /// The ratio of the largest to the smallest scale over the profiled features (the columns, or the slots of a vector
    /// column), a feature's scale being its largest absolute value; NaN when it cannot be measured. Computed by
    /// <see cref="InputScaleJudge.ScaleSpread"/>; above 100 (with values beyond [-1, 1]) it makes the <c>unnormalized-input</c> finding.
    /// </summary>
    public double ScaleSpread { get; init; } = double.NaN;

    /// <summary>What the profile suggests (unnormalized input, non-finite values, constant columns).</summary>
    public IReadOnlyList<DataFinding> Findings { get; init; } = [];

    /// <summary>Value equality, comparing the lists element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(DataProfileRecord? other) =>
        other is not null && Name == other.Name && RowCount == other.RowCount && ScaleSpread.Equals(other.ScaleSpread)
        && Columns.SequenceEqual(other.Columns) && Findings.SequenceEqual(other.Findings);

    /// <summary>A hash consistent with <see cref="Equals(DataProfileRecord?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, RowCount, Columns.Count);
}
