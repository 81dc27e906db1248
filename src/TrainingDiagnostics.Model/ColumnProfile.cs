namespace TrainingDiagnostics.Model;

/// <summary>
/// The profile of one numeric data column (a scalar, or every slot of a vector column together) as seen by a data
/// profiling stage: counts, range, mean and standard deviation of its finite values.
/// </summary>
public sealed record ColumnProfile
{
    /// <summary>The column's name. Chosen by the user: treat it as untrusted text when rendering.</summary>
    public required string Name { get; init; }

    /// <summary>The column's type as the data pipeline names it, for example <c>Vector&lt;Single, 64&gt;</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Values seen: rows times slots for a vector column.</summary>
    public required long Count { get; init; }

    /// <summary>Values that are NaN or infinite (they are left out of the statistics below).</summary>
    public long NonFiniteCount { get; init; }

    /// <summary>The smallest finite value; NaN when there is none.</summary>
    public double Min { get; init; } = double.NaN;

    /// <summary>The largest finite value; NaN when there is none.</summary>
    public double Max { get; init; } = double.NaN;

    /// <summary>The mean of the finite values; NaN when there is none.</summary>
    public double Mean { get; init; } = double.NaN;

    /// <summary>The population standard deviation of the finite values; NaN when there is none.</summary>
    public double StandardDeviation { get; init; } = double.NaN;

    /// <summary>True when every finite value is the same (a column that carries no information).</summary>
    public bool IsConstant { get; init; }
}
