namespace TrainingDiagnostics.HigherOrder;

/// <summary>How <see cref="Curvature.Trace"/> estimates tr(H).</summary>
public enum TraceMethod
{
    /// <summary>Hutchinson (1990): the mean of zᵀHz over Rademacher probes z; one matvec per probe; error ~ ‖H‖_F/√m.</summary>
    Hutchinson,

    /// <summary>
    /// Hutch++ (Meyer, Musco, Musco, Woodruff 2021): a third of the matvecs sketch the dominant range Q of H, whose trace
    /// tr(QᵀHQ) is taken exactly, a third compute it, and Hutchinson estimates the rest on (I - QQᵀ)H(I - QQᵀ); error ~ 1/m
    /// instead of 1/√m when the spectrum decays.
    /// </summary>
    HutchPlusPlus,
}
