using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// Everything the report shows about one run, folded from its records in one pass (see
/// <see cref="Folding.RunFold"/>): its size does not grow with the run's length (downsampled series, a fixed number
/// of heatmap columns, per-parameter summaries, a bounded incident digest). The findings rules and the pages' views
/// (<see cref="ReportView"/>, <see cref="CompareView"/>) read only this; the renderers read only those views.
/// </summary>
/// <remarks>A new report section adds one property here, set by its own fold.</remarks>
internal sealed class RunView
{
    public required RunMetadata Metadata { get; init; }

    /// <summary><see langword="false"/> when a log ended in a cut line.</summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>Lines of unknown kinds skipped while reading.</summary>
    public int SkippedRecordCount { get; init; }

    /// <summary>The step scalars: loss and learning-rate series, timings, skipped updates.</summary>
    public required StepsView Steps { get; init; }

    /// <summary>The per-parameter summaries and the heatmap.</summary>
    public required ParametersView Parameters { get; init; }

    /// <summary>The incidents: the first ones in full, the rest counted.</summary>
    public required IncidentsView Incidents { get; init; }

    /// <summary>The user's metrics, one per name, in order of first record.</summary>
    public required IReadOnlyList<MetricHistory> Metrics { get; init; }

    /// <summary>The data profiles of an ML.NET pipeline (few records, kept whole).</summary>
    public IReadOnlyList<DataProfileRecord> DataProfiles { get; init; } = [];

    /// <summary>The observed fits of an ML.NET pipeline's stages (few records, kept whole).</summary>
    public IReadOnlyList<ObservedFitRecord> ObservedFits { get; init; } = [];

    /// <summary>The curvature of the loss (top Hessian eigenvalue, trace) on the measured steps; empty without curvature records.</summary>
    public CurvatureView Curvature { get; init; } = CurvatureView.Empty;

    /// <summary>The monitor's records about itself: contained instrument failures and the Heal policy's actions.</summary>
    public MonitorEventsView MonitorEvents { get; init; } = MonitorEventsView.Empty;

    /// <summary>The monitor's activation readings (dead ReLU units, saturated sigmoid/tanh outputs), one summary per module; empty without them.</summary>
    public ActivationsView Activations { get; init; } = ActivationsView.Empty;

    /// <summary>The step range every chart shares (steps and metric steps), or (0, 1) for an empty run.</summary>
    public (long Min, long Max) Range { get; init; }

    /// <summary>The lowest and highest step of the step records, or null when there are none.</summary>
    public (long Min, long Max)? StepRange { get; init; }
}
