using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Analysis;

/// <summary>One metric of a run: its values in step order (ties in recording order), and which way it improves.</summary>
internal sealed record MetricHistory(string Name, long[] Steps, double[] Values, MetricDirection Direction)
{
    /// <summary>The run's metrics, one per name, in order of each name's first record. Linear in the number of records.</summary>
    public static List<MetricHistory> FromRun(DiagnosticsRun run) => FromRecords(run.Metrics);

    /// <summary>
    /// The metrics of <paramref name="records"/>, one per name, in order of each name's first record; the monitor's activation
    /// readings (<see cref="InstrumentMetric"/>) are measurements of modules, not the user's metrics, and are left out.
    /// </summary>
    public static List<MetricHistory> FromRecords(IEnumerable<MetricRecord> records) =>
        records
            .Where(m => !InstrumentMetric.IsInstrument(m.Name))
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => InStepOrder(g.Key, g.Select(m => m.Step).ToList(), g.Select(m => m.Value).ToList()))
            .ToList();

    /// <summary>One metric from its values in recording order: sorted by step, ties kept in recording order.</summary>
    public static MetricHistory InStepOrder(string name, IReadOnlyList<long> steps, IReadOnlyList<double> values)
    {
        int[] order = Enumerable.Range(0, steps.Count).OrderBy(i => steps[i]).ToArray(); // OrderBy is stable
        return new MetricHistory(name, order.Select(i => steps[i]).ToArray(), order.Select(i => values[i]).ToArray(), MetricNames.Direction(name));
    }

    /// <summary>Whether <paramref name="a"/> is better than <paramref name="b"/> in this metric's direction (false when unknown).</summary>
    public bool IsBetter(double a, double b) => Direction switch
    {
        MetricDirection.LowerIsBetter => a < b,
        MetricDirection.HigherIsBetter => a > b,
        _ => false,
    };
}
