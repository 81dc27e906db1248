namespace TrainingDiagnostics.Model;

/// <summary>
/// What a run is: the model, where it ran, with which seed and library versions. Written once, as the
/// header line of the run log.
/// </summary>
public sealed record RunMetadata
{
    /// <summary>A short name for the run, chosen by the user (untrusted text when rendering).</summary>
    public required string RunName { get; init; }

    /// <summary>A human-readable description of the model, for example <c>MLP 64-32-10, ReLU</c>.</summary>
    public string? ModelDescription { get; init; }

    /// <summary>The number of trainable scalar parameters, or <see langword="null"/> when unknown.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>The device the run trained on, for example <c>cpu</c> or <c>cuda:0</c>.</summary>
    public string? Device { get; init; }

    /// <summary>The random seed the run started from, or <see langword="null"/> when none was fixed.</summary>
    public long? Seed { get; init; }

    /// <summary>When the run started, with its UTC offset.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The TorchSharp version the run used, as a free-form string.</summary>
    public string? TorchSharpVersion { get; init; }

    /// <summary>The TrainingDiagnostics version that wrote the run, as a free-form string.</summary>
    public string? LibraryVersion { get; init; }

    /// <summary>Free-form key/value tags (optimizer, learning rate, dataset...). Never null.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>In a distributed run, this process's rank (0-based); null for a single-process run.</summary>
    public int? Rank { get; init; }

    /// <summary>In a distributed run, the number of processes; null for a single-process run.</summary>
    public int? WorldSize { get; init; }

    /// <summary>Value equality, comparing <see cref="Tags"/> by content.</summary>
    /// <param name="other">The metadata to compare with.</param>
    /// <returns><see langword="true"/> when every field and every tag is equal.</returns>
    public bool Equals(RunMetadata? other) =>
        other is not null
        && RunName == other.RunName
        && ModelDescription == other.ModelDescription
        && ParameterCount == other.ParameterCount
        && Device == other.Device
        && Seed == other.Seed
        && StartedAt == other.StartedAt
        && TorchSharpVersion == other.TorchSharpVersion
        && LibraryVersion == other.LibraryVersion
        && Rank == other.Rank
        && WorldSize == other.WorldSize
        && Tags.Count == other.Tags.Count
        && Tags.All(t => other.Tags.TryGetValue(t.Key, out var v) && v == t.Value);

    /// <summary>A hash consistent with <see cref="Equals(RunMetadata?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(RunName, ParameterCount, Seed, StartedAt, Tags.Count);
}
