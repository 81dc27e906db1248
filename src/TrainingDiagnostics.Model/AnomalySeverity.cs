namespace TrainingDiagnostics.Model;

/// <summary>How much an anomaly matters to the question "is this training healthy?".</summary>
public enum AnomalySeverity
{
    /// <summary>Something that may hurt the result and deserves a look (a statistical alarm, a BatchNorm warning).</summary>
    Warning,

    /// <summary>The run is broken: a NaN or infinity reached the loss, a gradient, a parameter, an activation or a buffer.</summary>
    Critical,
}
