using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The run report's page as plain data, built once from the fold's <see cref="RunView"/>: the verdict (evaluated once),
/// the incident list, the loss with the metrics drawn over it, the small charts with their readings, the pipeline's
/// progress charts, all downsampled. The HTML renderer and the embedded JSON read this and compute nothing.
/// </summary>
internal sealed class ReportView
{
    /// <summary>The folded run (the sections the page shows as they are: incidents, parameters, curvature, data, metadata).</summary>
    public required RunView Run { get; init; }

    /// <summary>The page's title.</summary>
    public required string Title { get; init; }

    /// <summary>The verdict and its findings, most important first.</summary>
    public required RunVerdict Verdict { get; init; }

    /// <summary>The last values of the first three metrics whose better direction is known (the page's summary line).</summary>
    public required IReadOnlyList<(string Name, double Last)> HeadlineMetrics { get; init; }

    /// <summary>The detailed incidents as the timeline and the script name them.</summary>
    public required IReadOnlyList<IncidentMark> Incidents { get; init; }

    /// <summary>The training loss, downsampled, incident steps kept.</summary>
    public required ChartSeries Loss { get; init; }

    /// <summary>The metrics that are losses (<c>validation/loss</c>), drawn over the training loss on its axis.</summary>
    public required IReadOnlyList<ChartSeries> Overlays { get; init; }

    /// <summary>Whether the loss chart (loss and overlays) reads better on a log scale.</summary>
    public required bool LossLogScale { get; init; }

    /// <summary>The small charts under the loss chart: each metric that is not a loss, then the learning rate.</summary>
    public required IReadOnlyList<SmallChart> SmallCharts { get; init; }

    /// <summary>The Curvature section's series and table (empty without curvature records).</summary>
    public required CurvatureCharts Curvature { get; init; }

    /// <summary>The progress charts of the ML.NET pipeline's trainers; empty without them.</summary>
    public required IReadOnlyList<StageProgress> Pipeline { get; init; }

    /// <summary>The page of <paramref name="run"/>: every series downsampled to about <see cref="ReportOptions.MaxChartPoints"/> points.</summary>
    public static ReportView Build(RunView run, ReportOptions options)
    {
        int maxPoints = options.MaxChartPoints;
        List<ChartSeries> overlays = run.Metrics
            .Select((m, i) => (Metric: m, Index: i))
            .Where(m => MetricNames.IsLoss(m.Metric.Name))
            .Select(m => MetricSeries.For(m.Metric, MetricSeries.MetricClass(m.Index), maxPoints))
            .ToList();
        return new ReportView
        {
            Run = run,
            Title = options.Title ?? $"Training report: {run.Metadata.RunName}",
            Verdict = FindingRules.Evaluate(run),
            HeadlineMetrics = run.Metrics.Where(m => m.Direction != MetricDirection.Unknown).Take(3).Select(m => (m.Name, m.Values[^1])).ToList(),
            Incidents = IncidentMark.Index(run, ""),
            Loss = run.Steps.Loss,
            Overlays = overlays,
            LossLogScale = ChartScale.PrefersLog([run.Steps.Loss, .. overlays]),
            SmallCharts = BuildSmallCharts(run, maxPoints),
            Curvature = CurvatureCharts.Of(run.Curvature),
            Pipeline = StageProgress.Of(run.ObservedFits, maxPoints),
        };
    }

    /// <summary>Each metric that is not a loss, then the learning rate (its number alone when it never changed), each with its reading.</summary>
    private static List<SmallChart> BuildSmallCharts(RunView run, int maxPoints)
    {
        var charts = new List<SmallChart>();
        for (int i = 0; i < run.Metrics.Count; i++)
        {
            MetricHistory metric = run.Metrics[i];
            if (MetricNames.IsLoss(metric.Name))
            {
                continue;
            }

            ChartSeries series = MetricSeries.For(metric, MetricSeries.MetricClass(i), maxPoints);
            var chart = new LineChartData(Invariant($"metric-chart-{i}"), metric.Name + " over steps", MetricSeries.ShortName(metric.Name), Small: true,
                ChartScale.PrefersLog([series]), [series]);
            charts.Add(new SmallChart(metric.Name, MetricReading.Of(metric), null, chart));
        }

        if (run.Steps.LearningRate is { } lr)
        {
            var rates = run.Steps.LearningRateRange;
            bool flat = rates is { } r && r.Min == r.Max && lr.NonFinite.Count == 0; // a flat line says less than the number
            LineChartData? chart = flat ? null : new LineChartData("lr-chart", "Learning rate over steps", "learning rate", Small: true, ChartScale.PrefersLog([lr]), [lr]);
            charts.Add(new SmallChart("Learning rate", new LearningRateReading(rates, flat), "lr-note", chart));
        }

        return charts;
    }
}
