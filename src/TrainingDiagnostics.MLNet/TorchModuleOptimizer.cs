namespace TrainingDiagnostics.MLNet;

/// <summary>The optimizer a <see cref="TorchModuleTrainer"/> builds over the module's parameters.</summary>
public enum TorchModuleOptimizer
{
    /// <summary>Adam (default betas).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay, TorchSharp's default decay).</summary>
    AdamW,

    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>SGD with momentum 0.9.</summary>
    SgdMomentum,
}
