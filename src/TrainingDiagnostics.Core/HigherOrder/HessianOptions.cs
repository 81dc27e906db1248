namespace TrainingDiagnostics.HigherOrder;

/// <summary>How <see cref="HessianOperator.ForLoss(TorchSharp.torch.nn.Module, Func{TorchSharp.torch.Tensor}, HessianOptions)"/> evaluates the loss.</summary>
public sealed record HessianOptions
{
    /// <summary>The mode BatchNorm layers run in during the one forward pass; <see cref="BatchNormMode.AsFound"/> by default.</summary>
    public BatchNormMode BatchNorm { get; init; } = BatchNormMode.AsFound;
}
