namespace TrainingDiagnostics.MLNet;

/// <summary>What a <see cref="TorchModuleTrainer"/> knows at the end of an epoch, handed to <see cref="ITrainingObserver.OnEpochEnd"/>.</summary>
public sealed record EpochMetrics
{
    /// <summary>The epoch, counted from 0.</summary>
    public required int Epoch { get; init; }

    /// <summary>The last training step of the epoch (steps are counted from 0 over the whole training).</summary>
    public required long LastStep { get; init; }

    /// <summary>The mean training loss over the epoch's steps.</summary>
    public required double MeanLoss { get; init; }

    /// <summary>The steps of the epoch the monitor's policy skipped (anomalies).</summary>
    public int SkippedSteps { get; init; }

    /// <summary>
    /// The validation metrics measured after the epoch (recorded in the run as well), for example
    /// <c>validation/loss</c> and <c>validation/accuracy</c>; empty without a validation set.
    /// </summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();
}
