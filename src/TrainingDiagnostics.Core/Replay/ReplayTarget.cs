namespace TrainingDiagnostics.Replay;

/// <summary>What a replay looks for.</summary>
internal enum ReplayTarget
{
    /// <summary>The first producer of a NaN or Inf, forward or backward.</summary>
    NonFinite,

    /// <summary>The module where the gradient dies: it receives a non-zero gradient and sends out zero.</summary>
    VanishingGradient,
}
