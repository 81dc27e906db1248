namespace TrainingDiagnostics.Report.View;

/// <summary>How one of the monitor's optional instruments fared: its contained failures, and whether it stood down.</summary>
internal sealed record InstrumentHealth
{
    public required string Instrument { get; init; }

    public required int Failures { get; init; }

    public required long FirstStep { get; init; }

    public required string FirstStage { get; init; }

    public required string FirstMessage { get; init; }

    public required string FirstExceptionType { get; init; }

    /// <summary>The step from which it ran no more, or null if it kept running.</summary>
    public long? StoodDownAt { get; init; }
}
