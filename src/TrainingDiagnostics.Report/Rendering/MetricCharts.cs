using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// Writes the small charts of a run's metrics and learning rate (built with the page's <see cref="ReportView"/>): each
/// with its heading, its one-line reading in words, and its static SVG, stacked under the loss chart on the same step
/// axis, so that a jump in one lines up with a jump in the other.
/// </summary>
internal static class MetricCharts
{
    /// <summary>Writes each small chart: heading, reading, box and static SVG.</summary>
    public static void Write(TextWriter w, IReadOnlyList<SmallChart> charts, IReadOnlyList<long> incidentSteps, (long, long) range)
    {
        foreach (SmallChart small in charts)
        {
            w.WriteLine($"<h3>{HtmlText.Encode(small.Heading)}</h3>");
            string id = small.NoteId is null ? "" : $" id=\"{small.NoteId}\"";
            w.WriteLine($"<p class=\"note\"{id}>{Reading(small.Reading)}</p>");
            if (small.Chart is { } chart)
            {
                Write(w, chart, incidentSteps, range);
            }
        }
    }

    /// <summary>Writes a small chart's box and its static SVG.</summary>
    public static void Write(TextWriter w, LineChartData chart, IReadOnlyList<long> incidentSteps, (long, long)? range, string xLabel = "step")
    {
        w.WriteLine($"<div class=\"chart-box small\" id=\"{chart.Id}-box\">");
        LineChartSvg.Write(w, chart.Id, chart.Title, chart.YLabel, chart.Series, incidentSteps, ChartConstants.HeightOf(chart), range, xLabel);
        w.WriteLine("</div>");
    }

    /// <summary>A reading in words, as HTML.</summary>
    public static string Reading(ChartReading reading) => reading switch
    {
        MetricReading metric => HtmlText.Encode(Words(metric)),
        LearningRateReading { Flat: true, Range: { } r } => $"The optimizer's learning rate (its first parameter group) was {HtmlText.Number(r.First)} at every step.",
        LearningRateReading rate => "The optimizer's learning rate at each step (its first parameter group). " + (rate.Range is not { } r ? "It was not finite at any step."
            : $"From {HtmlText.Number(r.First)} to {HtmlText.Number(r.Last)}; lowest {HtmlText.Number(r.Min)}, highest {HtmlText.Number(r.Max)}."),
        _ => throw new ArgumentOutOfRangeException(nameof(reading), reading, "A small chart's reading is a metric's or the learning rate's."),
    };

    /// <summary>Which way is better, how many values, first, best and last with their steps.</summary>
    private static string Words(MetricReading metric)
    {
        string direction = metric.Direction switch
        {
            MetricDirection.HigherIsBetter => "Higher is better. ",
            MetricDirection.LowerIsBetter => "Lower is better. ",
            _ => "",
        };
        string count = Invariant($"{metric.Count} value(s)");
        if (!metric.AnyFinite)
        {
            return $"{direction}{count}, none finite.";
        }

        static string At((long Step, double Value) p) => Invariant($"{HtmlText.Number(p.Value)} at step {p.Step}");
        string best = metric.Best is { } b ? "; best " + At(b) : "";
        return $"{direction}{count}: first {At(metric.First)}{best}; last {At(metric.Last)}.";
    }
}
