
namespace TrainingDiagnostics.Report.View;

/// <summary>The per-parameter part of a run: one summary row per parameter, the heatmap, and where gradients first went non-finite.</summary>
internal sealed class ParametersView
{
    public required IReadOnlyList<LayerGradientSummary> Rows { get; init; }

    public required GradientHeatmap Heatmap { get; init; }

    /// <summary>The most columns of <see cref="GradientTrend"/>.</summary>
    public const int TrendColumns = 32;

    /// <summary>Per parameter (the rows' order, which is the parameters' order): whether and since when it moved.</summary>
    public IReadOnlyList<ParameterMotion> Motion { get; init; } = [];

    /// <summary>
    /// Per parameter, its largest gradient norm in each of at most <see cref="TrendColumns"/> stretches of steps (-1 where none was
    /// recorded; +∞ for a non-finite one), and the first step of each stretch: how the layers' gradients compare over time.
    /// </summary>
    public (long[] Start, double[][] Norms) GradientTrend { get; init; } = ([], []);

    /// <summary>Steps with a non-finite gradient norm (total or per parameter).</summary>
    public long NonFiniteGradientSteps { get; init; }

    public long? FirstNonFiniteGradientStep { get; init; }

    /// <summary>The parameters whose gradient norm was non-finite at that first step.</summary>
    public IReadOnlyList<string> FirstNonFiniteGradientNames { get; init; } = [];

    /// <summary>Whether any per-parameter gradient norm was NaN or infinite.</summary>
    public bool AnyNonFiniteLayerGradient { get; init; }
}
