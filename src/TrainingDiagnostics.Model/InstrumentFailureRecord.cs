namespace TrainingDiagnostics.Model;

/// <summary>
/// An optional instrument of the monitor failed at a step: its exception was contained (the step went on exactly as without
/// the instrument), and after <see cref="ConsecutiveFailures"/> failures in a row the instrument stands down for the rest of the run.
/// </summary>
public sealed record InstrumentFailureRecord
{
    /// <summary>The training step at which the instrument failed.</summary>
    public required long Step { get; init; }

    /// <summary>The instrument's name (for example <c>curvature</c>).</summary>
    public required string Instrument { get; init; }

    /// <summary>The stage of the step that failed: <c>IsDue</c>, <c>BeforeForward</c>, <c>Queue</c>, <c>Compute</c>, <c>AfterDecision</c>.</summary>
    public required string Stage { get; init; }

    /// <summary>The exception's type name, for example <c>InvalidOperationException</c>.</summary>
    public required string ExceptionType { get; init; }

    /// <summary>The exception's message (its first line).</summary>
    public required string Message { get; init; }

    /// <summary>How many of the instrument's due steps in a row have failed, this one included.</summary>
    public int ConsecutiveFailures { get; init; } = 1;

    /// <summary>Whether the instrument stands down from this step on: it runs no more in this run.</summary>
    public bool StoodDown { get; init; }
}
