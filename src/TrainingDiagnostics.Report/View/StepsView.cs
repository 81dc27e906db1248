
namespace TrainingDiagnostics.Report.View;

/// <summary>The per-step scalars of a run, reduced: the loss and learning-rate series (downsampled), and the numbers rules need.</summary>
internal sealed class StepsView
{
    public long Count { get; init; }

    public long? FirstStep { get; init; }

    public long? LastStep { get; init; }

    public double LastLoss { get; init; }

    /// <summary>The training loss, LTTB-downsampled, incident steps kept.</summary>
    public required ChartSeries Loss { get; init; }

    /// <summary>Steps whose loss was NaN or infinite: how many, the first and its value.</summary>
    public long NonFiniteLossCount { get; init; }

    public long? FirstNonFiniteLossStep { get; init; }

    public double FirstNonFiniteLoss { get; init; }

    /// <summary>The loss trend over finite losses (means of the first and last tenth, best window), or null with fewer than ten.</summary>
    public LossDigest? LossTrend { get; init; }

    /// <summary>The shape of the loss the silent-fault rules read (initial level, last half's trend and swing, windows), or null with fewer than 20 finite losses.</summary>
    public LossProfile? Profile { get; init; }

    /// <summary>The median of the steps' total gradient norms (recorded, or from the per-parameter norms), or null when none is known.</summary>
    public double? MedianGradientNorm { get; init; }

    /// <summary>The learning rate, downsampled, or null when no step recorded one.</summary>
    public ChartSeries? LearningRate { get; init; }

    /// <summary>Finite learning rates: first, last, lowest, highest; null when none.</summary>
    public (double First, double Last, double Min, double Max)? LearningRateRange { get; init; }

    /// <summary>The first learning-rate jump by the jump factor or more, and how many there were.</summary>
    public (long Step, double From, double To, double Factor, int Count)? LearningRateJump { get; init; }

    public long SkippedCount { get; init; }

    public long? FirstSkippedStep { get; init; }

    public double ElapsedSum { get; init; }

    public long ElapsedCount { get; init; }
}
