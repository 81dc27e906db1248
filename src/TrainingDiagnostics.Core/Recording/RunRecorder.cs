using Microsoft.Extensions.Logging;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Where a monitored run's records go: the bounded in-memory history, the JSON Lines run log (written off the training
/// thread by <see cref="BackgroundRunLog"/>, each line flushed within 20 ms, so a crash loses at most the last 20 ms of
/// records), the live meter, TensorBoard and a logger (<see cref="MonitorLog"/>: incidents, instrument failures, heal
/// actions). Each sink is optional except the history.
/// </summary>
internal sealed class RunRecorder : IDisposable
{
    private readonly RunMetadata _metadata;
    private readonly RunHistory _history;
    private readonly BackgroundRunLog? _log;
    private readonly MonitorMetrics? _metrics;
    private readonly ILogger? _logger;

    public RunRecorder(RunMetadata metadata, int maxStepsInMemory, string? logPath, string? meterName, string? tensorBoardDirectory, ILogger? logger = null)
    {
        _metadata = metadata;
        _logger = logger;
        _history = new RunHistory(maxStepsInMemory);
        if (logPath is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(logPath));
            if (folder is not null)
                Directory.CreateDirectory(folder);
            _log = new BackgroundRunLog(new RunLogWriter(logPath, metadata)); // the header is written here, synchronously
        }
        if (meterName is not null)
            _metrics = new MonitorMetrics(meterName, metadata.RunName);
        if (tensorBoardDirectory is not null)
            TensorBoard = new TensorBoardExporter(tensorBoardDirectory);
    }

    /// <summary>The TensorBoard sink, when one was asked for.</summary>
    public TensorBoardExporter? TensorBoard { get; }

    /// <summary>Everything recorded so far (thinned beyond the in-memory capacity; the run log keeps every step).</summary>
    public DiagnosticsRun Run => new()
    {
        Metadata = _metadata,
        Steps = _history.Steps.ToArray(),
        Anomalies = _history.Anomalies.ToArray(),
        Metrics = _history.Metrics.ToArray(),
        Curvature = _history.Curvature.ToArray(),
        InstrumentFailures = _history.InstrumentFailures.ToArray(),
        Heals = _history.Heals.ToArray(),
    };

    /// <summary>Records one step with its anomalies (events first in the log, then the step line).</summary>
    public void Record(StepRecord record, IReadOnlyList<AnomalyEvent> anomalies)
    {
        _history.Add(record, anomalies);
        if (_log is not null)
        {
            foreach (var a in anomalies)
                _log.Enqueue(a);
            _log.Enqueue(record);
        }
        _metrics?.Record(record, anomalies);
        if (_logger is not null)
        {
            foreach (var a in anomalies)
                MonitorLog.Incident(_logger, _metadata.RunName, a);
        }
        if (TensorBoard is not null)
        {
            TensorBoard.Write(record);
            foreach (var a in anomalies)
                TensorBoard.Write(a);
        }
    }

    /// <summary>Records a metric.</summary>
    public void Record(MetricRecord metric)
    {
        _history.Add(metric);
        _log?.Enqueue(metric);
        TensorBoard?.Write(metric);
    }

    /// <summary>Records a curvature estimate (history, run log, and TensorBoard as a <c>curvature/...</c> scalar).</summary>
    public void Record(CurvatureRecord curvature)
    {
        _history.Add(curvature);
        _log?.Enqueue(curvature);
        TensorBoard?.Write(new MetricRecord
        {
            Step = curvature.Step,
            Name = curvature.Quantity == CurvatureQuantity.TopEigenvalue ? "curvature/top_eigenvalue" : "curvature/trace",
            Value = curvature.Value,
        });
    }

    /// <summary>Records a contained instrument failure (history, run log, meter and logger).</summary>
    public void Record(InstrumentFailureRecord failure)
    {
        _history.Add(failure);
        _log?.Enqueue(failure);
        _metrics?.Record(failure);
        if (_logger is not null)
        {
            MonitorLog.InstrumentFailure(_logger, _metadata.RunName, failure.Step, failure.Instrument, failure.Stage, failure.ExceptionType,
                failure.Message, failure.ConsecutiveFailures, failure.StoodDown);
        }
    }

    /// <summary>Records an action of the Heal policy or its outcome (history, run log, meter and logger).</summary>
    public void Record(HealRecord heal)
    {
        _history.Add(heal);
        _log?.Enqueue(heal);
        _metrics?.Record(heal);
        if (_logger is not null)
            MonitorLog.Heal(_logger, _metadata.RunName, heal);
    }

    /// <summary>Writes what the run log still has queued and closes every sink.</summary>
    public void Dispose()
    {
        try
        {
            _log?.Dispose();
        }
        finally
        {
            _metrics?.Dispose();
        }
    }
}
