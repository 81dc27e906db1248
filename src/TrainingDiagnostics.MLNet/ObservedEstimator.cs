using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// Wraps any estimator and records its fits: duration, the <see cref="MLContext.Log"/> messages emitted while it fitted, the
/// exception it ended with (rethrown after recording) and, for closed trainers that report progress per iteration (SDCA,
/// L-BFGS, SGD, field-aware factorization machines, k-means, LightGBM), each reported quantity as a curve over iterations
/// (<see cref="ObservedFitRecord.Series"/>, for example <c>sdca/duality_gap</c> or <c>lbfgs/loss</c>), published on the
/// monitor's meter (<see cref="TrainingMonitor.MeterName"/>, instrument <c>training.trainer.value</c>) while the fit runs.
/// The records go into <see cref="Fits"/> and the context, so that a later <see cref="TorchModuleTrainer"/> fit carries
/// them into its run. Created by <see cref="DiagnosticsCatalog.Observe{TTransformer}(IEstimator{TTransformer})"/>.
/// </summary>
/// <remarks>
/// ML.NET gives no public access to those per-iteration values (they never reach <see cref="MLContext.Log"/>); they are read
/// from the context's progress tracker, polled every 100 ms during the fit and once at its end.
/// Where that is not possible (another ML.NET version) the series stay empty and the log lines are recorded as before.
/// </remarks>
/// <typeparam name="TTransformer">The wrapped estimator's transformer (returned as is, so saving works as without the wrapper).</typeparam>
public sealed class ObservedEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    private readonly MLContext _context;
    private readonly List<ObservedFitRecord> _fits = [];
    private readonly Lock _gate = new();

    /// <summary>How often the trainer's progress is read (and published on the meter) while a fit runs.</summary>
    internal static readonly TimeSpan ProgressPollInterval = TimeSpan.FromMilliseconds(100);

    internal ObservedEstimator(MLContext context, IEstimator<TTransformer> estimator, string? name)
    {
        _context = context;
        Estimator = estimator;
        Name = name ?? estimator.GetType().Name;
    }

    /// <summary>The wrapped estimator.</summary>
    public IEstimator<TTransformer> Estimator { get; }

    /// <summary>The stage's name in the records.</summary>
    public string Name { get; }

    /// <summary>The fits recorded so far, in order.</summary>
    public IReadOnlyList<ObservedFitRecord> Fits
    {
        get
        {
            lock (_gate)
            {
                return _fits.ToArray();
            }
        }
    }

    /// <summary>The last fit recorded, or null before the first.</summary>
    public ObservedFitRecord? LastFit => Fits.LastOrDefault();

    /// <summary>
    /// Fits the wrapped estimator while listening to <see cref="MLContext.Log"/> and to the trainers' progress. Messages and
    /// progress from fits running at the same time in the same context are captured too (neither says which fit emitted them).
    /// </summary>
    /// <param name="input">The training data.</param>
    /// <returns>The wrapped estimator's transformer.</returns>
    public TTransformer Fit(IDataView input)
    {
        var lines = new List<string>();
        var linesGate = new Lock();
        void OnLog(object? sender, LoggingEventArgs e)
        {
            lock (linesGate)
            {
                lines.Add(e.Message);
            }
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string? error = null;
        var series = new TrainerSeriesRecorder(Name);
        TrainerProgressTap? tap = TrainerProgressTap.Of(_context);
        IDisposable? progress = tap?.Subscribe(series.Add);
        Timer? poll = tap is null ? null : new Timer(_ => tap.Poll(), null, ProgressPollInterval, ProgressPollInterval);
        _context.Log += OnLog;
        try
        {
            return Estimator.Fit(input);
        }
        catch (Exception ex)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
            throw;
        }
        finally
        {
            _context.Log -= OnLog;
            poll?.Dispose();
            progress?.Dispose(); // reads what the trainer reported since the last poll
            clock.Stop();
            string[] captured;
            lock (linesGate)
            {
                captured = lines.ToArray();
            }

            var record = new ObservedFitRecord
            {
                Name = Name,
                EstimatorType = Estimator.GetType().Name,
                StartedAt = started,
                DurationMilliseconds = clock.Elapsed.TotalMilliseconds,
                LogLines = captured,
                Error = error,
                Series = series.Build(),
            };
            lock (_gate)
            {
                _fits.Add(record);
            }

            PipelineRecords.Of(_context).Add(record);
        }
    }

    /// <summary>The wrapped estimator's output shape.</summary>
    /// <param name="inputSchema">The input shape.</param>
    /// <returns>The output shape.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Estimator.GetOutputSchema(inputSchema);
}
