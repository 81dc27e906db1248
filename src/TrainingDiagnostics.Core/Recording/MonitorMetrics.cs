using System.Diagnostics.Metrics;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Live training signals through System.Diagnostics.Metrics (visible to dotnet-counters and OpenTelemetry): the last loss
/// and gradient norm as observable gauges, steps and anomalies as counters.
/// </summary>
internal sealed class MonitorMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _steps;
    private readonly Counter<long> _anomalies;
    private readonly KeyValuePair<string, object?> _run;
    private double _loss = double.NaN;
    private double _gradientNorm = double.NaN;

    public MonitorMetrics(string meterName, string runName)
    {
        _meter = new Meter(meterName, typeof(MonitorMetrics).Assembly.GetName().Version?.ToString());
        _run = new KeyValuePair<string, object?>("run", runName);
        _steps = _meter.CreateCounter<long>("training.steps", unit: "{step}", description: "Training steps monitored.");
        _anomalies = _meter.CreateCounter<long>("training.anomalies", unit: "{anomaly}", description: "Anomalies detected.");
        _meter.CreateObservableGauge("training.loss", () => new Measurement<double>(_loss, _run), description: "Loss of the last step.");
        _meter.CreateObservableGauge("training.gradient_norm", () => new Measurement<double>(_gradientNorm, _run), description: "L2 norm of all gradients of the last step.");
    }

    public void Record(double loss, double gradientNorm, int anomalies)
    {
        _loss = loss;
        _gradientNorm = gradientNorm;
        _steps.Add(1, _run);
        if (anomalies > 0)
            _anomalies.Add(anomalies, _run);
    }

    public void Dispose() => _meter.Dispose();
}
