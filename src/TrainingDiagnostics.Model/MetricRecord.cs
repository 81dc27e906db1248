namespace TrainingDiagnostics.Model;

/// <summary>
/// One measured value of a named metric at a training step, for example a validation loss or accuracy computed by the
/// user's own evaluation.
/// </summary>
public sealed record MetricRecord
{
    /// <summary>The training step the value belongs to.</summary>
    public required long Step { get; init; }

    /// <summary>The metric's name, for example <c>"validation/accuracy"</c>. Chosen by the user: treat it as untrusted text when rendering.</summary>
    public required string Name { get; init; }

    /// <summary>The value (may be NaN or infinite).</summary>
    public required double Value { get; init; }

    /// <inheritdoc />
    public bool Equals(MetricRecord? other) =>
        other is not null && Step == other.Step && Name == other.Name && Value.Equals(other.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Step, Name, Value);
}
