using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>A summary of one tensor involved in an anomaly: its shape, dtype and value statistics.</summary>
/// <remarks>Min, Max and MeanAbsolute are over the finite elements only (null when there are none).</remarks>
public sealed record TensorStatistics
{
    /// <summary>What the tensor is, for example <c>"output"</c>, <c>"input[0]"</c> or <c>"grad_output"</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<long> Shape { get; init; } = [];

    /// <summary>The element type, as TorchSharp names it (for example <c>Float32</c>).</summary>
    [JsonPropertyName("dtype")]
    public string? DType { get; init; }

    /// <summary>The number of NaN elements.</summary>
    [JsonPropertyName("nanCount")]
    public long NaNCount { get; init; }

    /// <summary>The number of infinite elements (either sign).</summary>
    public long InfCount { get; init; }

    /// <summary>The smallest finite element.</summary>
    public double? Min { get; init; }

    /// <summary>The largest finite element.</summary>
    public double? Max { get; init; }

    /// <summary>The mean absolute value of the finite elements.</summary>
    public double? MeanAbsolute { get; init; }

    /// <inheritdoc />
    public bool Equals(TensorStatistics? other) =>
        other is not null
        && Name == other.Name
        && Shape.SequenceEqual(other.Shape)
        && DType == other.DType
        && NaNCount == other.NaNCount
        && InfCount == other.InfCount
        && Nullable.Equals(Min, other.Min)
        && Nullable.Equals(Max, other.Max)
        && Nullable.Equals(MeanAbsolute, other.MeanAbsolute);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Shape.Count, DType, NaNCount, InfCount);
}
