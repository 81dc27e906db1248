namespace TrainingDiagnostics.Model;

/// <summary>
/// One observed fit of a pipeline stage (any ML.NET estimator, including closed trainers): how long it took, what it
/// logged while fitting, and the error it ended with, if any.
/// </summary>
public sealed record ObservedFitRecord
{
    /// <summary>The stage's name (given by the user, or the estimator's type name).</summary>
    public required string Name { get; init; }

    /// <summary>The estimator's type name.</summary>
    public string? EstimatorType { get; init; }

    /// <summary>When the fit started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long the fit took, in milliseconds.</summary>
    public required double DurationMilliseconds { get; init; }

    /// <summary>The log lines the pipeline emitted during the fit, in order (source and message).</summary>
    public IReadOnlyList<string> LogLines { get; init; } = [];

    /// <summary>The error the fit ended with (type and message), or null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The trainer's progress as curves: each quantity a closed trainer reported per iteration (SDCA, L-BFGS, SGD,
    /// factorization machines, k-means...), in the order first reported; empty for a stage that reports none.
    /// </summary>
    public IReadOnlyList<IterationSeries> Series { get; init; } = [];

    /// <summary>Value equality, comparing the log lines and the series element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ObservedFitRecord? other) =>
        other is not null && Name == other.Name && EstimatorType == other.EstimatorType && StartedAt == other.StartedAt
        && DurationMilliseconds.Equals(other.DurationMilliseconds) && Error == other.Error && LogLines.SequenceEqual(other.LogLines)
        && Series.SequenceEqual(other.Series);

    /// <summary>A hash consistent with <see cref="Equals(ObservedFitRecord?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, DurationMilliseconds, Error);
}
