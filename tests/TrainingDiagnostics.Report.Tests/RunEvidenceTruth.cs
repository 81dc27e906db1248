using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>Oracles computed straight from a run's records (sorting, not the report's fold or sketches).</summary>
internal static class RunEvidenceTruth
{
    /// <summary>Per weight tensor (name ending in <c>.weight</c>) the median of its update ratios above zero; then the median of those.</summary>
    public static double MedianWeightUpdateRatio(DiagnosticsRun run)
    {
        double[] perParameter = run.Steps
            .SelectMany(s => s.Layers)
            .Where(l => l.Name.EndsWith(".weight", StringComparison.Ordinal) && l.UpdateRatio is > 0)
            .GroupBy(l => l.Name)
            .Select(g => SortedMedian(g.Select(l => l.UpdateRatio!.Value)))
            .ToArray();
        return SortedMedian(perParameter);
    }

    /// <summary>The median of the steps' total gradient norms.</summary>
    public static double MedianGradientNorm(DiagnosticsRun run) => SortedMedian(run.Steps.Select(s => s.GradientNorm!.Value));

    public static double SortedMedian(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
