namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The mistake planted into a <see cref="TrainingSetting"/>: what a buggy script does differently. Every member left at its
/// default changes nothing; <see cref="None"/> is the healthy job.
/// </summary>
public sealed record FaultPlant
{
    /// <summary>No mistake.</summary>
    public static FaultPlant None { get; } = new();

    /// <summary>A wrong learning rate, in place of the setting's.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Another optimizer than the setting's.</summary>
    public OptimizerKind? Optimizer { get; init; }

    /// <summary>Other hidden layers than the setting's (with its activation): a network too deep for it.</summary>
    public int[]? Hidden { get; init; }

    /// <summary>More (or fewer) epochs than the setting's.</summary>
    public int? Epochs { get; init; }

    /// <summary>Train on only this many of the training rows.</summary>
    public int? TrainRows { get; init; }

    /// <summary>Skip the setting's standardization: the inputs go in raw.</summary>
    public bool RawInputs { get; init; }

    /// <summary>Multiply input column j by 10^(j mod <see cref="ColumnDecades"/>) and add 10·(j mod 3): mixed units.</summary>
    public int? ColumnDecades { get; init; }

    /// <summary>What happens to the training labels.</summary>
    public LabelNoise Labels { get; init; }

    /// <summary>A module whose bias is filled with <see cref="BiasValue"/> at initialization (for <see cref="BiasShare"/> of its units).</summary>
    public string? BiasModule { get; init; }

    /// <summary>The bias planted in <see cref="BiasModule"/>.</summary>
    public double BiasValue { get; init; }

    /// <summary>The share of <see cref="BiasModule"/>'s units (the first ones) that get <see cref="BiasValue"/>. Default all.</summary>
    public double BiasShare { get; init; } = 1;

    /// <summary>A module whose weights are multiplied by <see cref="WeightScale"/> at initialization.</summary>
    public string? WeightModule { get; init; }

    /// <summary>The factor planted in <see cref="WeightModule"/>'s weights.</summary>
    public double WeightScale { get; init; } = 1;

    /// <summary>Modules whose parameters are left out of the optimizer.</summary>
    public IReadOnlyList<string> Frozen { get; init; } = [];

    /// <summary>
    /// Monitor under <c>AnomalyPolicy.Record</c> instead of the default <c>SkipStep</c>: for faults whose symptoms the
    /// default's skipping of an alarming step would hide (a learning rate so high that gradients spike).
    /// </summary>
    public bool RecordPolicy { get; init; }
}
