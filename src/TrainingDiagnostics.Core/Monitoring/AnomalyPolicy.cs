namespace TrainingDiagnostics.Monitoring;

/// <summary>What <see cref="TrainingMonitor"/> does when a step is anomalous. Every policy also records the event.</summary>
public enum AnomalyPolicy
{
    /// <summary>Record the event and let the step proceed (<see cref="StepResult.ShouldStep"/> stays true).</summary>
    Record,

    /// <summary>Record the event, log it as a warning through <see cref="MonitorOptions.Logger"/>, and let the step proceed.</summary>
    Warn,

    /// <summary>Record the event, zero the gradients and advise against the optimizer step (<see cref="StepResult.ShouldStep"/> = false).</summary>
    SkipStep,

    /// <summary>
    /// Record the event, restore the weights, buffers and optimizer state of the last healthy step, and advise against the
    /// optimizer step. Costs a copy of the parameters (and of the optimizer state, when one is given) per healthy step.
    /// </summary>
    Rollback,

    /// <summary>Record the event, zero the gradients and throw a <see cref="TrainingAnomalyException"/> carrying it.</summary>
    Throw,
}
