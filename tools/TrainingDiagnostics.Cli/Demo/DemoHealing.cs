namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// The remedies a healed demo run applies on top of its settings (and its planted fault), as <see cref="HealPlan"/> reads
/// them from the report's findings. The default applies nothing.
/// </summary>
internal sealed record DemoHealing
{
    /// <summary>Nothing to apply.</summary>
    public static DemoHealing None { get; } = new();

    /// <summary>Multiplies the learning rate in force (the planted one included).</summary>
    public double LearningRateFactor { get; init; } = 1;

    /// <summary>Standardize every input column with the training images' mean and standard deviation.</summary>
    public bool StandardizeInputs { get; init; }

    /// <summary>Parameter names (as in <c>named_parameters()</c>) the optimizer must include.</summary>
    public IReadOnlyList<string> AddToOptimizer { get; init; } = [];

    /// <summary>Module paths whose parameters are drawn afresh with the default initialization after the model is built.</summary>
    public IReadOnlyList<string> Reinitialize { get; init; } = [];

    /// <summary>Paths of ReLU modules built as LeakyReLU instead.</summary>
    public IReadOnlyList<string> ReplaceActivation { get; init; } = [];

    /// <summary>Stop at the end of the epoch whose held-out evaluation is recorded at this step (the best one).</summary>
    public long? StopAtStep { get; init; }

    /// <summary>Clip the gradient's global norm to this before each optimizer step.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Drop each epoch's last batch when it holds fewer images than the batch size.</summary>
    public bool DropLastBatch { get; init; }

    /// <summary>Whether anything differs from <see cref="None"/>.</summary>
    public bool IsEmpty =>
        LearningRateFactor == 1 && !StandardizeInputs && AddToOptimizer.Count == 0 && Reinitialize.Count == 0
        && ReplaceActivation.Count == 0 && StopAtStep is null && ClipGradientNorm is null && !DropLastBatch;
}
