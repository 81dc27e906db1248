using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.View;

/// <summary>The readings of the monitor's activation instruments, one summary per module and measure, in order of first reading.</summary>
internal sealed class ActivationsView
{
    /// <summary>A run without activation readings.</summary>
    public static ActivationsView Empty { get; } = new() { Modules = [] };

    public required IReadOnlyList<ActivationSummary> Modules { get; init; }

    /// <summary>The activation modules the instruments measured, in order of first reading.</summary>
    public IEnumerable<string> ModulePaths => Modules.Select(m => m.ModulePath).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Whether some ReLU-family layer had every unit dead in its recent readings: its output is constant, so the model's output
    /// is constant too and nothing before it learns (a loss at the level of a constant prediction is then that layer's doing).
    /// </summary>
    public bool AnyLayerEntirelyDead => Modules.Any(m => m.Measure == ActivationMeasure.DeadUnits && m.RecentMedian >= ActivationSummary.EveryUnit);
}
