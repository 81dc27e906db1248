namespace TrainingDiagnostics.HigherOrder;

/// <summary>The mode BatchNorm layers run in while <see cref="HessianOperator.ForLoss(TorchSharp.torch.nn.Module, Func{TorchSharp.torch.Tensor}, HessianOptions)"/> evaluates the loss.</summary>
public enum BatchNormMode
{
    /// <summary>Leave every BatchNorm layer in the mode the model is in (the default).</summary>
    AsFound,

    /// <summary>
    /// Train mode: normalize with the batch's own statistics, so the Hessian includes how the statistics depend on the
    /// weights (the curvature of the loss the optimizer sees). The running statistics are not updated.
    /// </summary>
    Train,

    /// <summary>Eval mode: normalize with the running statistics (the curvature of the loss as it is evaluated).</summary>
    Eval,
}
