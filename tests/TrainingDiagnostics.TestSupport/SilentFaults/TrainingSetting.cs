namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// A healthy training job of the benchmark: a dataset, an MLP (hidden widths and activation), an optimizer and its
/// learning rate, epochs and batch size. Modules are named <c>fc1, act1, fc2, act2, ..., fcN</c> (the last is the output layer).
/// </summary>
/// <param name="Name">A short name for tables, for example <c>digits MLP 64-32-10 ReLU, Adam</c>.</param>
/// <param name="Dataset">The data.</param>
/// <param name="Hidden">The widths of the hidden layers.</param>
/// <param name="Activation">The activation after each hidden layer.</param>
/// <param name="Optimizer">The optimizer.</param>
/// <param name="LearningRate">Its learning rate.</param>
/// <param name="Epochs">Passes over the training rows.</param>
/// <param name="BatchSize">Rows per step.</param>
/// <param name="Standardize">Whether the job standardizes its inputs with the training rows' mean and deviation (digits' pixels in 0..1 need not).</param>
public sealed record TrainingSetting(
    string Name,
    SilentDataset Dataset,
    int[] Hidden,
    ActivationKind Activation,
    OptimizerKind Optimizer,
    double LearningRate,
    int Epochs,
    int BatchSize,
    bool Standardize);
