using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// Wraps any estimator and records its fits: duration, the <see cref="MLContext.Log"/> messages emitted while it fitted (for
/// closed trainers such as SDCA or L-BFGS, the only signal they give: iterations, losses, convergence) and the exception it
/// ended with, which is rethrown after recording. The records go into <see cref="Fits"/> and the context, so that a later
/// <see cref="TorchModuleTrainer"/> fit carries them into its run. Created by <see cref="DiagnosticsCatalog.Observe{TTransformer}(IEstimator{TTransformer})"/>.
/// </summary>
/// <typeparam name="TTransformer">The wrapped estimator's transformer (returned as is, so saving works as without the wrapper).</typeparam>
public sealed class ObservedEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    private readonly MLContext _context;
    private readonly List<ObservedFitRecord> _fits = [];
    private readonly Lock _gate = new();

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
    /// Fits the wrapped estimator while listening to <see cref="MLContext.Log"/>. Messages from fits running at the same time in
    /// the same context are captured too (the log has no notion of which fit emitted them).
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
