namespace TrainingDiagnostics.Model;

/// <summary>A conclusion drawn from the data before training, for example "features span 0.1 to 1500: normalize".</summary>
public sealed record DataFinding
{
    /// <summary>A stable identifier of the rule, for example <c>unnormalized-input</c> (<see cref="InputScaleJudge.Rule"/>).</summary>
    public required string Rule { get; init; }

    /// <summary>How much it matters.</summary>
    public required AnomalySeverity Severity { get; init; }

    /// <summary>One line, plain text.</summary>
    public required string Title { get; init; }

    /// <summary>The evidence and what to do, plain text.</summary>
    public string Detail { get; init; } = "";

    /// <summary>The column concerned, or null when it concerns several.</summary>
    public string? Column { get; init; }
}
