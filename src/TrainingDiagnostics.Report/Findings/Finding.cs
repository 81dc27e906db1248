namespace TrainingDiagnostics.Report.Findings;

/// <summary>
/// One conclusion drawn from a run by a rule of <see cref="FindingRules"/>: a title a person reads at a glance,
/// a detail with the evidence and the fix, and where it happened.
/// </summary>
public sealed record Finding
{
    /// <summary>How much it matters.</summary>
    public required FindingSeverity Severity { get; init; }

    /// <summary>The stable identifier of the rule that produced it, for example <c>nonfinite-loss</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>One line, plain text (the renderer encodes it).</summary>
    public required string Title { get; init; }

    /// <summary>The evidence and what to do, plain text; may be empty.</summary>
    public string Detail { get; init; } = "";

    /// <summary>The first step concerned, or <see langword="null"/> when it concerns the whole run.</summary>
    public long? Step { get; init; }

    /// <summary>The module or parameter concerned, or <see langword="null"/>.</summary>
    public string? ModulePath { get; init; }

    /// <summary>The fix a program can apply, or <see langword="null"/> where none follows from the evidence.</summary>
    public Remedy? Remedy { get; init; }
}
