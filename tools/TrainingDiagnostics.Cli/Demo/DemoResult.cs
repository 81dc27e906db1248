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
    IReadOnlyList<AnomalyEvent> Anomalies);
