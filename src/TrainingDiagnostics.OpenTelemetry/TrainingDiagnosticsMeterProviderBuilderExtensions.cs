using TrainingDiagnostics.Monitoring;

namespace OpenTelemetry.Metrics;

/// <summary>
/// Registers TrainingDiagnostics with an OpenTelemetry meter provider. In OpenTelemetry's namespace, as instrumentation
/// packages do, so that it shows beside <c>AddMeter</c> and the exporters.
/// </summary>
public static class TrainingDiagnosticsMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes the provider to the training meter (<see cref="TrainingMonitor.MeterName"/>): every
    /// <see cref="TrainingMonitor"/> in the process (one per run, each measurement tagged with its <c>run</c>) and every
    /// observed ML.NET trainer. Instruments: <c>training.loss</c>, <c>training.gradient_norm</c> (gauges),
    /// <c>training.steps</c> (counter; its rate is the step rate), <c>training.step.duration</c> (histogram, seconds),
    /// <c>training.anomalies</c> (counter by <c>kind</c> and <c>severity</c>), <c>training.instrument_failures</c>,
    /// <c>training.heal_actions</c>, <c>training.trainer.value</c> and <c>training.trainer.iteration</c> (gauges by
    /// <c>stage</c> and <c>series</c>).
    /// </summary>
    /// <param name="builder">The meter provider builder (<c>Sdk.CreateMeterProviderBuilder()</c>, or <c>WithMetrics</c> of a host).</param>
    /// <returns>The same builder, to chain an exporter.</returns>
    public static MeterProviderBuilder AddTrainingDiagnostics(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(TrainingMonitor.MeterName);
    }
}
