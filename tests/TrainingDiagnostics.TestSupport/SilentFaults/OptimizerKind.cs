namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>The optimizer of a benchmark run.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with its default betas.</summary>
    Adam,

    /// <summary>Plain stochastic gradient descent.</summary>
    Sgd,

    /// <summary>SGD with momentum 0.9.</summary>
    SgdMomentum,
}
