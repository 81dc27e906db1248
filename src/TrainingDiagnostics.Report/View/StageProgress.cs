using TrainingDiagnostics.Model;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The progress a pipeline stage's trainer reported per iteration, ready to draw: per trainer its constant quantities
/// (one number each) and its charts (its losses together, each other quantity alone, downsampled), at most
/// <see cref="MaxCharts"/> charts a stage and the rest counted.
/// </summary>
/// <param name="FitIndex">The stage's place among the run's observed fits (its element id).</param>
/// <param name="Stage">The stage's name.</param>
/// <param name="Trainers">The trainers of the stage, in order of their first series.</param>
/// <param name="Skipped">How many charts were left out beyond <see cref="MaxCharts"/>.</param>
internal sealed record StageProgress(int FitIndex, string Stage, IReadOnlyList<TrainerProgress> Trainers, int Skipped)
{
    /// <summary>The most charts drawn per stage.</summary>
    public const int MaxCharts = 12;

    /// <summary>
    /// The progress of every stage of <paramref name="fits"/> that reported a usable series (iterations and values of one
    /// length), its charts numbered across the stages (<c>pipeline-chart-{n}</c>).
    /// </summary>
    public static IReadOnlyList<StageProgress> Of(IReadOnlyList<ObservedFitRecord> fits, int maxPoints)
    {
        var stages = new List<StageProgress>();
        int chart = 0;
        for (int i = 0; i < fits.Count; i++)
        {
            List<IterationSeries> usable = fits[i].Series.Where(s => s.Iterations.Count > 0 && s.Iterations.Count == s.Values.Count).ToList();
            if (usable.Count == 0)
            {
                continue;
            }

            var trainers = new List<TrainerProgress>();
            int drawn = 0, skipped = 0;
            foreach (IGrouping<string, IterationSeries> trainer in usable.GroupBy(s => Trainer(s.Name)))
            {
                var constant = new List<(string, double)>();
                var charts = new List<(string Title, string YLabel, List<IterationSeries> Series)>();
                var losses = new List<IterationSeries>();
                foreach (IterationSeries series in trainer)
                {
                    if (IsConstant(series))
                    {
                        constant.Add((Quantity(series.Name), series.Values[0]));
                    }
                    else if (Quantity(series.Name).Contains("loss", StringComparison.Ordinal))
                    {
                        losses.Add(series);
                    }
                    else
                    {
                        charts.Add(($"{series.Name} over iterations", Quantity(series.Name), [series]));
                    }
                }

                if (losses.Count > 0)
                {
                    charts.Insert(0, ($"{trainer.Key}: {string.Join(", ", losses.Select(s => Quantity(s.Name)))} over iterations", "loss", losses));
                }

                var drawnCharts = new List<LineChartData>();
                foreach (var (title, yLabel, series) in charts)
                {
                    if (drawn >= MaxCharts)
                    {
                        skipped++;
                        continue;
                    }

                    drawn++;
                    List<ChartSeries> lines = series.Select((s, k) => ChartSeries.Build(s.Name, Invariant($"metric m{k % MetricSeries.Colours}"), s.Iterations,
                        s.Values.Select(v => (double?)v).ToArray(), maxPoints, new HashSet<long>())).ToList();
                    drawnCharts.Add(new LineChartData(Invariant($"pipeline-chart-{chart++}"), title, yLabel, Small: true, ChartScale.PrefersLog(lines), lines));
                }

                IterationSeries first = trainer.First();
                trainers.Add(new TrainerProgress(trainer.Key, first.Iterations.Count, first.Iterations[0], first.Iterations[^1], constant, drawnCharts));
            }

            stages.Add(new StageProgress(i, fits[i].Name, trainers, skipped));
        }

        return stages;
    }

    private static string Trainer(string name) => name.LastIndexOf('/') is int slash and > 0 ? name[..slash] : name;

    private static string Quantity(string name) => name.LastIndexOf('/') is int slash and >= 0 ? name[(slash + 1)..] : name;

    private static bool IsConstant(IterationSeries series) =>
        series.Values.Count > 1 && series.Values.All(v => v.Equals(series.Values[0])) && double.IsFinite(series.Values[0]);
}
