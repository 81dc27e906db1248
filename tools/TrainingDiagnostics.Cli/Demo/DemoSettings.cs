namespace TrainingDiagnostics.Cli.Demo;

/// <summary>What <c>tdiag demo</c> trains and where it writes.</summary>
internal sealed record DemoSettings
{
    public int Epochs { get; init; } = 10;

    public string OutputDirectory { get; init; } = "tdiag-out";

    public int Seed { get; init; } = 42;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 0.01;

    /// <summary>The share of images held out of training to measure accuracy on unseen digits.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    public string DatasetPath { get; init; } = DigitsDataset.DefaultPath;

    public DemoFault Fault { get; init; } = DemoFault.None;

    /// <summary>Run the job as an ML.NET pipeline (<c>--mlnet</c>, see <see cref="MLNetDigitsDemo"/>).</summary>
    public bool MLNet { get; init; }

    /// <summary>The step at which a fault is planted: step 50, or half-way through shorter runs.</summary>
    public int FaultStep(int totalSteps) => Math.Min(50, totalSteps / 2);
}
