using System.Diagnostics.Metrics;
using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// The meter through which observed ML.NET trainers publish their progress while they fit: the monitor's meter name
/// (<see cref="TrainingMonitor.MeterName"/>), so one subscription (dotnet-counters, OpenTelemetry's <c>AddMeter</c>)
/// sees both. <c>training.trainer.value</c>: the last value of each series (tags <c>stage</c>, <c>series</c>, for example
/// <c>sdca/duality_gap</c>); <c>training.trainer.iteration</c>: the trainer's last iteration (tags <c>stage</c>, <c>trainer</c>).
/// </summary>
internal static class TrainerMetrics
{
    private static readonly Meter Meter = new(TrainingMonitor.MeterName, typeof(TrainerMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>The instrument name of the series values.</summary>
    public const string ValueInstrument = "training.trainer.value";

    /// <summary>The instrument name of the iteration counters.</summary>
    public const string IterationInstrument = "training.trainer.iteration";

    private static readonly Gauge<double> Value = Meter.CreateGauge<double>(ValueInstrument,
        description: "The last value of each quantity an observed ML.NET trainer reports per iteration (loss, duality gap, improvement...).");

    private static readonly Gauge<long> Iteration = Meter.CreateGauge<long>(IterationInstrument, unit: "{iteration}",
        description: "The last iteration an observed ML.NET trainer reported.");

    public static void Publish(string stage, string trainer, long iteration, IEnumerable<(string Series, double Value)> values)
    {
        if (Iteration.Enabled)
        {
            Iteration.Record(iteration, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("trainer", trainer));
        }

        if (!Value.Enabled)
        {
            return;
        }

        foreach ((string series, double value) in values)
        {
            Value.Record(value, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("series", series));
        }
    }
}
