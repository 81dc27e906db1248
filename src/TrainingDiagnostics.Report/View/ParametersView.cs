using TrainingDiagnostics.Report.Rendering;

namespace TrainingDiagnostics.Report.View;

/// <summary>The per-parameter part of a run: one summary row per parameter, the heatmap, and where gradients first went non-finite.</summary>
internal sealed class ParametersView
{
    public required IReadOnlyList<LayerGradientSummary> Rows { get; init; }

    public required GradientHeatmap Heatmap { get; init; }

    /// <summary>Steps with a non-finite gradient norm (total or per parameter).</summary>
    public long NonFiniteGradientSteps { get; init; }

    public long? FirstNonFiniteGradientStep { get; init; }

    /// <summary>The parameters whose gradient norm was non-finite at that first step.</summary>
    public IReadOnlyList<string> FirstNonFiniteGradientNames { get; init; } = [];

    /// <summary>Whether any per-parameter gradient norm was NaN or infinite.</summary>
    public bool AnyNonFiniteLayerGradient { get; init; }
}
