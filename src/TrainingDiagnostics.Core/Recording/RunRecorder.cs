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

    /// <summary>The TensorBoard sink, when one was asked for and while it works (null after it failed: see <see cref="ToTensorBoard"/>).</summary>
    public TensorBoardExporter? TensorBoard { get; private set; }

    /// <summary>
    /// Writes to TensorBoard, an optional export: a failure (a full disk, a step beyond TensorBoard's 32-bit step) never
    /// ends the run. The sink stands down at its first failure, which is recorded like an instrument's.
    /// </summary>
    public void ToTensorBoard(long step, Action<TensorBoardExporter> write)
    {
        if (TensorBoard is not { } sink)
            return;
        try
        {
            write(sink);
        }
        catch (Exception e)
        {
            TensorBoard = null;
            try
            {
                sink.Dispose();
            }
            catch (Exception)
            {
                // the sink is already broken; closing it must not end the run either
            }
            Record(new InstrumentFailureRecord
            {
                Step = step,
                Instrument = "tensorboard",
                Stage = "Record",
                ExceptionType = e.GetType().Name,
                Message = e.Message.Split('\n')[0],
                StoodDown = true,
            });
        }
    }

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
        DataProfiles = _history.DataProfiles.ToArray(),
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
        ToTensorBoard(record.Step, sink =>
        {
            sink.Write(record);
            foreach (var a in anomalies)
                sink.Write(a);
        });
    }

    /// <summary>Records a metric.</summary>
    public void Record(MetricRecord metric)
    {
        _history.Add(metric);
        _log?.Enqueue(metric);
        ToTensorBoard(metric.Step, sink => sink.Write(metric));
    }

    /// <summary>Records a curvature estimate (history, run log, and TensorBoard as a <c>curvature/...</c> scalar).</summary>
    public void Record(CurvatureRecord curvature)
    {
        _history.Add(curvature);
        _log?.Enqueue(curvature);
        ToTensorBoard(curvature.Step, sink => sink.Write(curvature));
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
        ToTensorBoard(heal.Step, sink => sink.Write(heal));
    }

    /// <summary>Records a data profile (history and run log; a run has few, the input's one).</summary>
    public void Record(DataProfileRecord profile)
    {
        _history.Add(profile);
        _log?.Enqueue(profile);
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
            try
            {
                _metrics?.Dispose();
            }
            finally
            {
                TensorBoard?.Dispose();
            }
        }
    }
}
