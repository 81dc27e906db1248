using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>The outcome of a demo training run.</summary>
internal sealed record DemoResult(
    int Steps,
    double FirstLoss,
    double FinalLoss,
    double TrainAccuracy,
    double HeldOutAccuracy,
    int TrainCount,
    int HeldOutCount,
    TimeSpan TrainingTime,
    string RunLogPath,
    int SkippedSteps,
    IReadOnlyList<AnomalyEvent> Anomalies)
{
    /// <summary>The learning rate the run trained with (NaN where not known).</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <summary>The held-out loss of the last evaluation (NaN where none was measured).</summary>
    public double HeldOutLoss { get; init; } = double.NaN;

    /// <summary>The linear baseline fitted beside the network and its held-out accuracy, in words (null where none was fitted).</summary>
    public string? Baseline { get; init; }
}
