namespace TrainingDiagnostics.Monitoring;

/// <summary>What <see cref="TrainingMonitor"/> does when a step is anomalous. Every policy also records the event.</summary>
public enum AnomalyPolicy
{
    /// <summary>Record the event and let the step proceed (<see cref="StepResult.ShouldStep"/> stays true).</summary>
    Record,

    /// <summary>
    /// Record the event and let the step proceed, as <see cref="Record"/> does: the name says the intent. Incidents reach
    /// <see cref="MonitorOptions.Logger"/>, when one is set, under every policy (an error when critical, else a warning).
    /// </summary>
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

    /// <summary>
    /// <see cref="Rollback"/>, and heal what can be healed inside the loop: when the loss diverges, a gradient explodes or
    /// turns non-finite, or the loss swings widely without progress, scale the learning rate down by a factor measured from
    /// the run (the sharpness against 2/lr when curvature is measured, else the loss's growth, else the update-to-weight
    /// ratios), at most <see cref="MonitorOptions.MaxHealActions"/> times. A poisoned batch is skipped. Each action and its
    /// outcome, judged 20 steps later against the loss's level before the trouble, is a <see cref="Model.HealRecord"/> in
    /// the run log. Needs <see cref="MonitorOptions.Optimizer"/> to change the learning rate.
    /// </summary>
    Heal,
}
