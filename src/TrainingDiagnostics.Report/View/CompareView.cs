using TrainingDiagnostics.Report.Analysis;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The comparison page as plain data, built from one fold per run (<see cref="ComparedRun"/>): the runs, one chart per
/// metric name (every run that recorded it, in its colour) and one of the learning rates, on the step range they all
/// share. The renderer reads this and computes nothing.
/// </summary>
internal sealed class CompareView
{
    /// <summary>The page's title.</summary>
    public required string Title { get; init; }

    /// <summary>The runs, in the order they are listed and coloured.</summary>
    public required IReadOnlyList<ComparedRun> Runs { get; init; }

    /// <summary>One chart per metric name, in order of first appearance across the runs.</summary>
    public required IReadOnlyList<(string Name, LineChartData Chart)> MetricCharts { get; init; }

    /// <summary>The learning rates of the runs that recorded one, or null when none did.</summary>
    public LineChartData? LearningRates { get; init; }

    /// <summary>The steps every run's step and metric records cover together, or null when no run has any.</summary>
    public (long Min, long Max)? Range { get; init; }

    /// <summary>The page over <paramref name="runs"/>.</summary>
    public static CompareView Build(IReadOnlyList<ComparedRun> runs, ReportOptions options)
    {
        var ranges = runs.Where(r => r.StepRange is not null).Select(r => r.StepRange!.Value).ToList();
        var names = runs.SelectMany(r => r.Run.Metrics.Select(m => m.Name)).Distinct(StringComparer.Ordinal).ToList();
        var charts = new List<(string, LineChartData)>(names.Count);
        for (int k = 0; k < names.Count; k++)
        {
            var series = new List<ChartSeries>();
            foreach (ComparedRun run in runs)
            {
                if (run.Run.Metrics.FirstOrDefault(m => m.Name == names[k]) is { } metric)
                {
                    series.Add(MetricSeries.For(metric, run.Loss.CssClass, options.MaxChartPoints) with { Name = run.Run.Metadata.RunName + " " + metric.Name });
                }
            }

            charts.Add((names[k], new LineChartData(Invariant($"metric-chart-{k}"), names[k] + " over steps, every run", MetricSeries.ShortName(names[k]), Small: true,
                ChartScale.PrefersLog(series), series)));
        }

        var rates = runs.Where(r => r.LearningRate is not null).Select(r => r.LearningRate!).ToList();
        return new CompareView
        {
            Title = options.Title ?? "Comparison: " + string.Join(" vs ", runs.Select(r => r.Run.Metadata.RunName)),
            Runs = runs,
            MetricCharts = charts,
            LearningRates = rates.Count == 0 ? null
                : new LineChartData("lr-chart", "Learning rate over steps, every run", "learning rate", Small: true, ChartScale.PrefersLog(rates), rates),
            Range = ranges.Count == 0 ? null : (ranges.Min(r => r.Min), ranges.Max(r => r.Max)),
        };
    }
}
