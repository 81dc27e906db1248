using Microsoft.ML;
using TorchSharp;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.MLNet;

/// <summary>Settings of a <see cref="TorchModuleTrainer"/>: the module, the task, the columns, the optimization and the diagnostics.</summary>
public sealed class TorchModuleTrainerOptions
{
    /// <summary>
    /// Builds a fresh module (called once per fit, after the seed is set, so the initial weights follow <see cref="Seed"/>;
    /// and again by <see cref="TorchModuleTransformer.Load"/>). It takes a [batch, features] float tensor and returns
    /// [batch, 1] logits or values (<see cref="TorchModuleTask.BinaryClassification"/>, <see cref="TorchModuleTask.Regression"/>)
    /// or [batch, classes] logits (<see cref="TorchModuleTask.MulticlassClassification"/>). Required.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

    /// <summary>The task, which fixes the loss, the label type and the output columns. Default multiclass classification.</summary>
    public TorchModuleTask Task { get; set; } = TorchModuleTask.MulticlassClassification;

    /// <summary>The label column: Boolean (binary), a key type with a known count (multiclass) or Single (regression). Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a vector of Single of known size. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Passes over the training rows. Default 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per step (the last batch of an epoch may be smaller). Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// Rows per forward pass when the trained transformer scores a data view (its
    /// <see cref="TorchModuleTransformer.ScoringBatchSize"/>). Default 1024: on a CPU a forward pass of a small network costs
    /// tens of microseconds whatever its rows, so batches of a thousand rows spread it thin while a batch's buffers stay in
    /// the cache. Must be at least 1.
    /// </summary>
    public int ScoringBatchSize { get; set; } = DefaultScoringBatchSize;

    /// <summary>The optimizer's learning rate. Default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>
    /// A learning-rate schedule: the factor, at each step, by which <see cref="LearningRate"/> is multiplied (warm-up,
    /// decay, a step schedule); null for a constant rate. The trainer applies the change of the factor from one step to the
    /// next, so a learning-rate change made by the monitor's <c>Heal</c> policy is kept. The factor must be positive and finite.
    /// </summary>
    public Func<long, double>? LearningRateSchedule { get; set; }

    /// <summary>
    /// Parameters left out of the optimizer (frozen, as when fine-tuning a pretrained part): every parameter whose name, as
    /// <c>named_parameters()</c> gives it, starts with one of these prefixes (for example <c>"fc1."</c>). Empty by default:
    /// every parameter trains. The monitor still reads their gradients; the report names a frozen parameter that receives them.
    /// </summary>
    public IReadOnlyList<string> FrozenParameters { get; set; } = [];

    /// <summary>The optimizer. Default <see cref="TorchModuleOptimizer.Adam"/>.</summary>
    public TorchModuleOptimizer Optimizer { get; set; } = TorchModuleOptimizer.Adam;

    /// <summary>
    /// Seeds libtorch's generator (initial weights) and the shuffling of rows, so two fits with the same seed give the same
    /// model; null for an unseeded run.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Where the module trains and scores; null for the default from the context: <c>cuda:GpuDeviceId</c> when
    /// <see cref="MLContext.GpuDeviceId"/> is set and CUDA is available, the CPU when it is not set, and when CUDA is absent
    /// the CPU if <see cref="MLContext.FallbackToCpu"/> is true (an error otherwise).
    /// </summary>
    public Device? Device { get; set; }

    /// <summary>
    /// Settings of the <see cref="TrainingMonitor"/> that watches every step; null for the defaults. The trainer sets the
    /// optimizer, raises <see cref="MonitorOptions.MaxStepsInMemory"/> so that the run keeps every step, and takes
    /// <see cref="RunLogPath"/> when it is set.
    /// </summary>
    public MonitorOptions? Monitor { get; set; }

    /// <summary>Hooks called at epoch starts, after every step and at epoch ends, in list order.</summary>
    public IList<ITrainingObserver> Observers { get; set; } = new List<ITrainingObserver>();

    /// <summary>
    /// Held-out rows (same columns) evaluated after each epoch and recorded in the run as <c>validation/loss</c> and,
    /// for classification, <c>validation/accuracy</c>; null for none.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>A JSON Lines run log to write (steps, incidents, metrics, then the data profiles and observed fits of the context); null for none.</summary>
    public string? RunLogPath { get; set; }

    internal const int DefaultScoringBatchSize = 1024;

    internal static void CheckScoringBatchSize(int value, string parameter)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(parameter, value,
                $"The scoring batch size must be at least 1 (rows per forward pass; 1 scores row by row), but {value} came. The default is {DefaultScoringBatchSize}.");
        }
    }
}
