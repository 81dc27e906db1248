using Microsoft.ML;

namespace TrainingDiagnostics.MLNet;

/// <summary>The entry point of TrainingDiagnostics in ML.NET: <c>mlContext.Diagnostics()</c>.</summary>
public static class MLContextDiagnosticsExtensions
{
    /// <summary>
    /// The diagnostics catalog of <paramref name="mlContext"/>: a trainer for TorchSharp modules with observers and the
    /// training monitor, data-profiling and non-finite-flag stages, derivative columns, and a wrapper that records any
    /// estimator's fit. The first call registers this assembly with <c>mlContext.ComponentCatalog</c>, so that models holding
    /// its savable stages load again in this context.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <returns>The catalog: one per context, the same instance on every call (thread-safe); records of profiled data and
    /// observed fits are kept per context.</returns>
    public static DiagnosticsCatalog Diagnostics(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return DiagnosticsCatalog.Of(mlContext);
    }
}
