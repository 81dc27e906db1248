namespace TrainingDiagnostics.Cli.Demo;

/// <summary>What <c>tdiag demo</c> trains and where it writes.</summary>
internal sealed record DemoSettings
{
    /// <summary>The number of epochs when <c>--epochs</c> is not given, for every fault but <see cref="DemoFault.Overfit"/>.</summary>
    public const int DefaultEpochCount = 10;

    /// <summary>The training images the <see cref="DemoFault.Overfit"/> fault keeps (of about 1440).</summary>
    public const int OverfitTrainingImages = 50;

    public int Epochs { get; init; } = DefaultEpochCount;

    public string OutputDirectory { get; init; } = "tdiag-out";

    public int Seed { get; init; } = 42;

    public int BatchSize { get; init; } = 64;

    /// <summary>The learning rate a healthy run uses; the learning-rate faults scale it (see <see cref="DigitsDemo.LearningRate"/>).</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>The share of images held out of training to measure accuracy on unseen digits.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    public string DatasetPath { get; init; } = DigitsDataset.DefaultPath;

    public DemoFault Fault { get; init; } = DemoFault.None;

    /// <summary>Run the job as an ML.NET pipeline (<c>--mlnet</c>, see <see cref="MLNetDigitsDemo"/>).</summary>
    public bool MLNet { get; init; }

    /// <summary>The remedies applied on top of the fault (<c>--heal</c>'s second run); none by default.</summary>
    public DemoHealing Healing { get; init; } = DemoHealing.None;

    /// <summary>The epochs a fault trains for when <c>--epochs</c> is not given: overfitting a tiny training set takes many short epochs.</summary>
    public static int DefaultEpochs(DemoFault fault) => fault == DemoFault.Overfit ? 200 : DefaultEpochCount;

    /// <summary>The step at which a fault is planted: step 50, or half-way through shorter runs.</summary>
    public int FaultStep(int totalSteps) => Math.Min(50, totalSteps / 2);
}
