using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// Hooks into the training loop of a <see cref="TorchModuleTrainer"/>: called on the training thread, in order
/// (OnEpochStart, OnStepEnd for each step of the epoch, OnEpochEnd). Every member has an empty default, so implement
/// only what you need. An exception thrown here ends the fit.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Called before the first step of each epoch.</summary>
    /// <param name="epoch">The epoch, counted from 0.</param>
    void OnEpochStart(int epoch)
    {
    }

    /// <summary>
    /// Called after each monitored step, once the optimizer has stepped (or not, when <see cref="StepResult.ShouldStep"/>
    /// is false). The step number is <c>result.Record.Step</c>, counted from 0 over the whole training.
    /// </summary>
    /// <param name="result">The monitor's result: loss, gradient norm, anomalies, and the step record with per-layer norms.</param>
    void OnStepEnd(StepResult result)
    {
    }

    /// <summary>Called after each epoch, after the validation set (if any) was evaluated.</summary>
    /// <param name="metrics">The epoch's mean loss and validation metrics.</param>
    void OnEpochEnd(EpochMetrics metrics)
    {
    }
}
