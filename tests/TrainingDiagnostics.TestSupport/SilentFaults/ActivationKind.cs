namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>The activation of a benchmark MLP's hidden layers.</summary>
public enum ActivationKind
{
    /// <summary>ReLU.</summary>
    ReLU,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
}
