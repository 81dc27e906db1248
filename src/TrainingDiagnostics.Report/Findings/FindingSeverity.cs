namespace TrainingDiagnostics.Report.Findings;

/// <summary>How much a <see cref="Finding"/> matters to the question "is this training healthy?".</summary>
public enum FindingSeverity
{
    /// <summary>A fact worth knowing that needs no action (for example "the loss fell by 80 %").</summary>
    Info,

    /// <summary>Something that may hurt the result and deserves a look (exploding gradients, skipped updates).</summary>
    Warning,

    /// <summary>The run is broken: a NaN or infinity reached the loss, a gradient, a parameter or an activation.</summary>
    Critical,
}
