namespace TrainingDiagnostics.Model;

/// <summary>
/// What the monitor's <c>Heal</c> policy did, and how it turned out: one record when it applies a remedy online (rolled
/// back and, for example, scaled the learning rate), and one when it has judged the outcome (<see cref="Healed"/> set).
/// </summary>
public sealed record HealRecord
{
    /// <summary>The step of this record: where the remedy was applied, or where its outcome was judged.</summary>
    public required long Step { get; init; }

    /// <summary>The action, one of <see cref="RemedyActions"/> (for example <c>scale-learning-rate</c>).</summary>
    public required string Action { get; init; }

    /// <summary>What the action applied to (a parameter group, a module), or <see langword="null"/> for the whole run.</summary>
    public string? Target { get; init; }

    /// <summary>The action's factor (the learning-rate multiplier, the clipping norm), where it has one.</summary>
    public double? Factor { get; init; }

    /// <summary>The value before the action (for example the learning rate 0.3).</summary>
    public double? From { get; init; }

    /// <summary>The value after the action (for example the learning rate 0.03).</summary>
    public double? To { get; init; }

    /// <summary>The evidence that called for the action, plain text.</summary>
    public string Reason { get; init; } = "";

    /// <summary>For an outcome record: the step at which the judged action was applied; null on the action's own record.</summary>
    public long? AppliedAt { get; init; }

    /// <summary>For an outcome record: whether the run recovered; null on the action's own record.</summary>
    public bool? Healed { get; init; }

    /// <summary>For an outcome record: what was seen, plain text (for example "loss back below its pre-spike level").</summary>
    public string? Outcome { get; init; }
}
