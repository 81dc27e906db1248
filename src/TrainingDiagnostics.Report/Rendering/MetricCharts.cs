using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The charts of a run's user-reported metrics and learning rate: metrics that are losses (<c>validation/loss</c>) are
/// drawn over the training loss, on its axis; every other metric and the learning rate get a small chart each,
/// stacked under the loss chart on the same step axis, so that a jump in one lines up with a jump in the other.
/// </summary>
internal static class MetricCharts
{
    private const int Colours = 6;

    /// <summary>The CSS classes of the metric at <paramref name="index"/> (its colour).</summary>
    public static string MetricClass(int index) => Invariant($"metric m{index % Colours}");

    /// <summary>The metric's series, downsampled like the loss, with a dot per value.</summary>
    public static ChartSeries Series(MetricHistory metric, string cssClass, int maxPoints) =>
        ChartSeries.Build(metric.Name, cssClass, metric.Steps, metric.Values.Select(v => (double?)v).ToArray(), maxPoints, new HashSet<long>()) with { Dots = true };

    /// <summary>The learning rate per step, or <see langword="null"/> when no step recorded one.</summary>
    public static ChartSeries? LearningRate(DiagnosticsRun run, string name, string cssClass, int maxPoints, IReadOnlySet<long> keep) =>
        run.Steps.Any(s => s.LearningRate is not null)
            ? ChartSeries.Build(name, cssClass, run.Steps.Select(s => s.Step).ToArray(), run.Steps.Select(s => s.LearningRate).ToArray(), maxPoints, keep)
            : null;

    /// <summary>
    /// The small charts of one run, from its view model: each metric that is not a loss, then the learning rate, each
    /// with a one-line reading. Builds only: the HTML writes them with <c>Write</c>, the embedded JSON carries their charts.
    /// </summary>
    public static List<SmallChart> Build(RunView run, int maxPoints)
    {
        var charts = new List<SmallChart>();
        for (int i = 0; i < run.Metrics.Count; i++)
        {
            MetricHistory metric = run.Metrics[i];
            if (MetricNames.IsLoss(metric.Name))
            {
                continue;
            }

            ChartSeries series = Series(metric, MetricClass(i), maxPoints);
            var chart = new LineChartData(Invariant($"metric-chart-{i}"), metric.Name + " over steps", ShortName(metric.Name), LineChartSvg.SmallHeight,
                LineChartSvg.PrefersLogScale([series]), [series]);
            charts.Add(new SmallChart(metric.Name, HtmlText.Encode(Reading(metric)), null, chart));
        }

        if (run.Steps.LearningRate is { } lr)
        {
            var rates = run.Steps.LearningRateRange;
            if (rates is { } flat && flat.Min == flat.Max && lr.NonFinite.Count == 0)
            {
                // A flat line says less than the number.
                charts.Add(new SmallChart("Learning rate", $"The optimizer's learning rate (its first parameter group) was {HtmlText.Number(flat.First)} at every step.", "lr-note", null));
            }
            else
            {
                string reading = rates is not { } r ? "It was not finite at any step."
                    : $"From {HtmlText.Number(r.First)} to {HtmlText.Number(r.Last)}; lowest {HtmlText.Number(r.Min)}, highest {HtmlText.Number(r.Max)}.";
                var chart = new LineChartData("lr-chart", "Learning rate over steps", "learning rate", LineChartSvg.SmallHeight, LineChartSvg.PrefersLogScale([lr]), [lr]);
                charts.Add(new SmallChart("Learning rate", $"The optimizer's learning rate at each step (its first parameter group). {reading}", "lr-note", chart));
            }
        }

        return charts;
    }

    /// <summary>Writes the small charts <see cref="Build"/> made: heading, reading, box and static SVG of each.</summary>
    public static void Write(TextWriter w, IReadOnlyList<SmallChart> charts, IReadOnlyList<long> incidentSteps, (long, long) range)
    {
        foreach (SmallChart small in charts)
        {
            w.WriteLine($"<h3>{HtmlText.Encode(small.Heading)}</h3>");
            string id = small.NoteId is null ? "" : $" id=\"{small.NoteId}\"";
            w.WriteLine($"<p class=\"note\"{id}>{small.NoteHtml}</p>");
            if (small.Chart is { } chart)
            {
                Write(w, chart, incidentSteps, range);
            }
        }
    }

    /// <summary>Writes a small chart's box and its static SVG.</summary>
    public static void Write(TextWriter w, LineChartData chart, IReadOnlyList<long> incidentSteps, (long, long)? range)
    {
        w.WriteLine($"<div class=\"chart-box small\" id=\"{chart.Id}-box\">");
        LineChartSvg.Write(w, chart.Id, chart.Title, chart.YLabel, chart.Series, incidentSteps, chart.Height, range);
        w.WriteLine("</div>");
    }

    /// <summary>The last segment of a path-like name: <c>validation/accuracy</c> gives <c>accuracy</c>.</summary>
    public static string ShortName(string name)
    {
        string last = name.TrimEnd('/').Split('/')[^1];
        return last.Length == 0 ? name : last;
    }

    /// <summary>A one-line reading: which way is better, how many values, first, best and last with their steps.</summary>
    public static string Reading(MetricHistory metric)
    {
        string direction = metric.Direction switch
        {
            MetricDirection.HigherIsBetter => "Higher is better. ",
            MetricDirection.LowerIsBetter => "Lower is better. ",
            _ => "",
        };
        int[] finite = Enumerable.Range(0, metric.Values.Length).Where(i => double.IsFinite(metric.Values[i])).ToArray();
        string count = Invariant($"{metric.Values.Length} value(s)");
        if (finite.Length == 0)
        {
            return $"{direction}{count}, none finite.";
        }

        string At(int i) => Invariant($"{HtmlText.Number(metric.Values[i])} at step {metric.Steps[i]}");
        string best = metric.Direction == MetricDirection.Unknown ? ""
            : "; best " + At(finite.Aggregate((a, b) => metric.IsBetter(metric.Values[b], metric.Values[a]) ? b : a));
        return $"{direction}{count}: first {At(0)}{best}; last {At(metric.Values.Length - 1)}.";
    }
}
