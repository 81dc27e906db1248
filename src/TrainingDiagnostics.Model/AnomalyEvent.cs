using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>
/// One incident of a training run: what went wrong (<see cref="Kind"/>), when (<see cref="Step"/>, <see cref="Phase"/>),
/// where (<see cref="ModulePath"/>, <see cref="Operation"/>), the evidence (tensor statistics) and what to do about it.
/// </summary>
public sealed record AnomalyEvent
{
    /// <summary>What went wrong. (Written as <c>anomalyKind</c>: <c>kind</c> is the run log's line discriminator.)</summary>
    [JsonPropertyName("anomalyKind")]
    public required AnomalyKind Kind { get; init; }

    /// <summary>The training step in which it was detected.</summary>
    public required long Step { get; init; }

    /// <summary>Forward, backward or update.</summary>
    public required AnomalyPhase Phase { get; init; }

    /// <summary>
    /// The dotted path of the module that produced it, as <c>named_modules()</c> names it (for example
    /// <c>"encoder.block2.bn"</c>); <c>"input"</c> when the batch itself is at fault; null where no module applies.
    /// </summary>
    public string? ModulePath { get; init; }

    /// <summary>The module type and/or libtorch autograd node, for example <c>"BatchNorm1d"</c> or <c>"SqrtBackward0"</c>.</summary>
    public string? Operation { get; init; }

    /// <summary>NaN elements in the offending tensor.</summary>
    [JsonPropertyName("nanCount")]
    public long NaNCount { get; init; }

    /// <summary>Infinite elements in the offending tensor.</summary>
    public long InfCount { get; init; }

    /// <summary>Statistics of the offending tensor (the module output, the gradient, the parameter).</summary>
    public TensorStatistics? Tensor { get; init; }

    /// <summary>Statistics of the offending module's inputs (or, in the backward pass, of its incoming gradient).</summary>
    public IReadOnlyList<TensorStatistics> Inputs { get; init; } = [];

    /// <summary>What happened, in one or two sentences.</summary>
    public required string Message { get; init; }

    /// <summary>A concrete fix, in one sentence.</summary>
    public string? Suggestion { get; init; }

    /// <summary>How the event was localized: for example which replay found it, or why no replay could.</summary>
    public string? Localization { get; init; }

    /// <summary>The measured value that tripped a statistical detector (for example the gradient norm).</summary>
    public double? Value { get; init; }

    /// <summary>The threshold the value was compared with.</summary>
    public double? Threshold { get; init; }

    /// <summary>What the monitor did about it (for example <c>"SkipStep"</c>).</summary>
    public string? Action { get; init; }

    /// <inheritdoc />
    public bool Equals(AnomalyEvent? other) =>
        other is not null
        && Kind == other.Kind && Step == other.Step && Phase == other.Phase
        && ModulePath == other.ModulePath && Operation == other.Operation
        && NaNCount == other.NaNCount && InfCount == other.InfCount
        && Equals(Tensor, other.Tensor) && Inputs.SequenceEqual(other.Inputs)
        && Message == other.Message && Suggestion == other.Suggestion && Localization == other.Localization
        && Nullable.Equals(Value, other.Value) && Nullable.Equals(Threshold, other.Threshold) && Action == other.Action;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Step, Phase, ModulePath, Operation, Message);
}
