using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>Heatmaps folded from steps, as the report folds a log.</summary>
internal static class Heatmaps
{
    /// <summary>The heatmap of <paramref name="steps"/> in at most <paramref name="maxColumns"/> columns.</summary>
    public static GradientHeatmap Of(IReadOnlyList<StepRecord> steps, int maxColumns) =>
        RunFold.FromRun(new DiagnosticsRun { Metadata = new RunMetadata { RunName = "" }, Steps = steps }, new ReportOptions { MaxHeatmapColumns = maxColumns }).Parameters.Heatmap;
}
