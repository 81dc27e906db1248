using System.Diagnostics.Metrics;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Live training signals through System.Diagnostics.Metrics (visible to dotnet-counters and OpenTelemetry), every
/// measurement tagged with the run's name (<c>run</c>):
/// <list type="bullet">
/// <item><c>training.loss</c>, <c>training.gradient_norm</c>: observable gauges, the last step's loss and total gradient norm
/// (nothing is reported before the first step);</item>
/// <item><c>training.steps</c>: a counter of monitored steps; its rate is the step rate;</item>
/// <item><c>training.step.duration</c>: a histogram of the time <c>Step</c> took (forward, backward, monitoring), in seconds;</item>
/// <item><c>training.anomalies</c>: a counter of incidents, tagged with their <c>kind</c> and <c>severity</c>;</item>
/// <item><c>training.instrument_failures</c>: a counter of contained instrument failures, tagged with the <c>instrument</c>;</item>
/// <item><c>training.heal_actions</c>: a counter of the Heal policy's actions, tagged with the <c>action</c>.</item>
/// </list>
/// </summary>
internal sealed class MonitorMetrics : IDisposable
{
    /// <summary>Histogram buckets for step durations, in seconds: 1 ms to 10 s (OpenTelemetry's defaults suit milliseconds).</summary>
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _steps;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _anomalies;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _heals;
    private readonly KeyValuePair<string, object?> _run;
    private double _loss;
    private double _gradientNorm;
    private volatile bool _stepped;

    public MonitorMetrics(string meterName, string runName)
    {
        _meter = new Meter(meterName, typeof(MonitorMetrics).Assembly.GetName().Version?.ToString());
        _run = new KeyValuePair<string, object?>("run", runName);
        _steps = _meter.CreateCounter<long>("training.steps", unit: "{step}", description: "Training steps monitored.");
        _duration = _meter.CreateHistogram("training.step.duration", unit: "s",
            description: "Time a monitored step took: forward, backward and the monitor's checks.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _anomalies = _meter.CreateCounter<long>("training.anomalies", unit: "{anomaly}", description: "Anomalies detected.");
        _failures = _meter.CreateCounter<long>("training.instrument_failures", unit: "{failure}", description: "Instrument failures contained by the monitor.");
        _heals = _meter.CreateCounter<long>("training.heal_actions", unit: "{action}", description: "Actions the Heal policy took (a learning-rate change...).");
        _meter.CreateObservableGauge("training.loss", () => Last(_loss), description: "Loss of the last step.");
        _meter.CreateObservableGauge("training.gradient_norm", () => Last(_gradientNorm), description: "L2 norm of all gradients of the last step.");
    }

    public void Record(StepRecord step, IReadOnlyList<AnomalyEvent> anomalies)
    {
        _loss = step.Loss;
        _gradientNorm = step.GradientNorm ?? double.NaN;
        _stepped = true;
        _steps.Add(1, _run);
        if (step.ElapsedMilliseconds is double milliseconds)
            _duration.Record(milliseconds / 1000, _run);
        foreach (var anomaly in anomalies)
            _anomalies.Add(1, _run, new("kind", anomaly.Kind.ToString()), new("severity", AnomalyKinds.SeverityOf(anomaly).ToString()));
    }

    public void Record(InstrumentFailureRecord failure) => _failures.Add(1, _run, new KeyValuePair<string, object?>("instrument", failure.Instrument));

    public void Record(HealRecord heal)
    {
        if (heal.Healed is null) // an action, not the record of its outcome
            _heals.Add(1, _run, new KeyValuePair<string, object?>("action", heal.Action));
    }

    private IEnumerable<Measurement<double>> Last(double value) =>
        _stepped ? [new Measurement<double>(value, _run)] : [];

    public void Dispose() => _meter.Dispose();
}
