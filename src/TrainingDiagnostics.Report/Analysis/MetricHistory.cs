using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Analysis;

/// <summary>One metric of a run: its values in step order (ties in recording order), and which way it improves.</summary>
internal sealed record MetricHistory(string Name, long[] Steps, double[] Values, MetricDirection Direction)
{
    /// <summary>The run's metrics, one per name, in order of each name's first record. Linear in the number of records.</summary>
    public static List<MetricHistory> FromRun(DiagnosticsRun run) => FromRecords(run.Metrics);

    /// <summary>The metrics of <paramref name="records"/>, one per name, in order of each name's first record.</summary>
    public static List<MetricHistory> FromRecords(IEnumerable<MetricRecord> records) =>
        records
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g =>
            {
                MetricRecord[] ordered = g.OrderBy(m => m.Step).ToArray(); // OrderBy is stable
                return new MetricHistory(g.Key, ordered.Select(m => m.Step).ToArray(), ordered.Select(m => m.Value).ToArray(), MetricNames.Direction(g.Key));
            })
            .ToList();

    /// <summary>Whether <paramref name="a"/> is better than <paramref name="b"/> in this metric's direction (false when unknown).</summary>
    public bool IsBetter(double a, double b) => Direction switch
    {
        MetricDirection.LowerIsBetter => a < b,
        MetricDirection.HigherIsBetter => a > b,
        _ => false,
    };
}
