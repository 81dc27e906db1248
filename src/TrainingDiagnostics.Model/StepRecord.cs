namespace TrainingDiagnostics.Model;

/// <summary>
/// What was measured at one optimizer step: the loss, the time the step took, and per-parameter norms.
/// </summary>
public sealed record StepRecord
{
    /// <summary>The global step index (0-based, counted over all epochs).</summary>
    public required long Step { get; init; }

    /// <summary>The epoch the step belongs to (0-based), or <see langword="null"/> when not tracked.</summary>
    public int? Epoch { get; init; }

    /// <summary>The training loss of the step's minibatch. May be NaN or infinite: that is a finding, not an error.</summary>
    public required double Loss { get; init; }

    /// <summary>The learning rate used for the step, or <see langword="null"/> when not recorded.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Wall-clock milliseconds of the step (forward, backward, update), or <see langword="null"/>.</summary>
    public double? ElapsedMilliseconds { get; init; }

    /// <summary>Per-parameter statistics in the module's parameter order. Never null; may be empty.</summary>
    public IReadOnlyList<LayerStatistics> Layers { get; init; } = [];

    /// <summary>The L2 norm of all gradients together, or <see langword="null"/> when not measured.</summary>
    public double? GradientNorm { get; init; }

    /// <summary><see langword="true"/> when the monitor advised against applying this step's update (an anomaly policy).</summary>
    public bool? Skipped { get; init; }

    /// <summary>Value equality, comparing <see cref="Layers"/> element by element (NaN equals NaN).</summary>
    /// <param name="other">The step to compare with.</param>
    /// <returns><see langword="true"/> when every field and every layer is equal.</returns>
    public bool Equals(StepRecord? other) =>
        other is not null
        && Step == other.Step
        && Epoch == other.Epoch
        && Loss.Equals(other.Loss)
        && Nullable.Equals(LearningRate, other.LearningRate)
        && Nullable.Equals(ElapsedMilliseconds, other.ElapsedMilliseconds)
        && Nullable.Equals(GradientNorm, other.GradientNorm)
        && Skipped == other.Skipped
        && Layers.SequenceEqual(other.Layers);

    /// <summary>A hash consistent with <see cref="Equals(StepRecord?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Step, Epoch, Loss, Layers.Count);
}
