namespace TrainingDiagnostics.Model;

/// <summary>
/// The actions a remedy can name, one string each: what a finding of the report (<c>Finding.Remedy.Action</c>), the monitor's
/// <c>Heal</c> policy and <c>tdiag demo --heal</c> all speak. A program switches on these values to apply a remedy.
/// </summary>
public static class RemedyActions
{
    /// <summary>Multiply the learning rate by the remedy's factor (below 1 for a loss that swings or diverges, above 1 for one that crawls).</summary>
    public const string ScaleLearningRate = "scale-learning-rate";

    /// <summary>Re-initialize the target module's parameters (dead units cannot come back by themselves).</summary>
    public const string Reinitialize = "reinitialize";

    /// <summary>Replace the target activation by one that keeps a gradient everywhere (LeakyReLU, GELU).</summary>
    public const string ReplaceActivation = "replace-activation";

    /// <summary>Standardize the input features (subtract the mean, divide by the standard deviation, both from the training data).</summary>
    public const string StandardizeInputs = "standardize-inputs";

    /// <summary>Add the target parameter to the optimizer (or give its group a non-zero learning rate).</summary>
    public const string AddToOptimizer = "add-to-optimizer";

    /// <summary>Stop training at the best validation step (keep that checkpoint).</summary>
    public const string EarlyStop = "early-stop";

    /// <summary>Check that the labels belong to their inputs (shuffled, misaligned or noise labels teach nothing).</summary>
    public const string CheckLabels = "check-labels";

    /// <summary>Clip the gradient's global norm to the remedy's factor.</summary>
    public const string ClipGradients = "clip-gradients";

    /// <summary>Drop the last, incomplete batch of each epoch (a batch of one breaks BatchNorm in train mode).</summary>
    public const string DropLastBatch = "drop-last-batch";

    /// <summary>Every action, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ScaleLearningRate, Reinitialize, ReplaceActivation, StandardizeInputs, AddToOptimizer, EarlyStop, CheckLabels, ClipGradients, DropLastBatch,
    ];
}
