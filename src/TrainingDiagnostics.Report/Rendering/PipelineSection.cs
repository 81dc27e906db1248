using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The report's Pipeline section: observed fits with their times, errors and log lines, and the progress of closed trainers
/// as curves over their iterations (<see cref="ObservedFitRecord.Series"/>). Written only when the run has observed fits.
/// </summary>
/// <remarks>
/// Per stage and trainer: the losses together in one chart (SDCA's primal and dual loss close in on each other: the
/// duality gap, seen), every other quantity in a chart of its own, and a quantity that never changed as one sentence.
/// The charts are static SVG on the trainer's own iteration axis (not the run's steps, so the zoom does not apply).
/// </remarks>
internal static class PipelineSection
{
    /// <summary>Log lines shown per stage (the rest are counted).</summary>
    public const int MaxLogLines = 200;

    /// <summary>The most trainer charts drawn for one stage (one-versus-all runs one optimizer per class).</summary>
    public const int MaxChartsPerStage = 12;

    public static void Write(TextWriter w, RunView run, int maxChartPoints)
    {
        if (run.ObservedFits.Count == 0)
        {
            return;
        }

        w.WriteLine("<section id=\"pipeline\">");
        w.WriteLine("<h2>Pipeline</h2>");
        w.WriteLine("<table class=\"pipeline-stages\">");
        w.WriteLine("<thead><tr><th scope=\"col\">Stage</th><th scope=\"col\" class=\"text\">Estimator</th><th scope=\"col\">Fit time (s)</th><th scope=\"col\">Log lines</th><th scope=\"col\" class=\"text\">Result</th></tr></thead>");
        w.WriteLine("<tbody>");
        foreach (ObservedFitRecord fit in run.ObservedFits)
        {
            string result = fit.Error is null ? "ok" : HtmlText.Encode(fit.Error);
            string css = fit.Error is null ? "text" : "text bad";
            w.WriteLine(Invariant($"<tr><th scope=\"row\">{HtmlText.Encode(fit.Name)}</th><td class=\"text\">{HtmlText.Encode(fit.EstimatorType)}</td>") +
                Invariant($"<td>{HtmlText.Number(fit.DurationMilliseconds / 1000)}</td><td>{HtmlText.Integer(fit.LogLines.Count)}</td><td class=\"{css}\">{result}</td></tr>"));
        }

        w.WriteLine("</tbody>");
        w.WriteLine("</table>");
        int chart = 0;
        for (int i = 0; i < run.ObservedFits.Count; i++)
        {
            WriteProgress(w, run.ObservedFits[i], i, ref chart, maxChartPoints);
        }

        foreach (ObservedFitRecord fit in run.ObservedFits.Where(f => f.LogLines.Count > 0))
        {
            w.WriteLine(Invariant($"<details class=\"stage-log\"><summary>{HtmlText.Encode(fit.Name)}: {HtmlText.Integer(fit.LogLines.Count)} log line(s)</summary><pre>"));
            foreach (string line in fit.LogLines.Take(MaxLogLines))
            {
                w.WriteLine(HtmlText.Encode(line));
            }

            if (fit.LogLines.Count > MaxLogLines)
            {
                w.WriteLine(Invariant($"... {HtmlText.Integer(fit.LogLines.Count - MaxLogLines)} more"));
            }

            w.WriteLine("</pre></details>");
        }

        w.WriteLine("</section>");
    }

    /// <summary>The stage's trainer curves: per trainer, the losses in one chart, each other varying quantity in its own.</summary>
    private static void WriteProgress(TextWriter w, ObservedFitRecord fit, int fitIndex, ref int chart, int maxChartPoints)
    {
        List<IterationSeries> usable = fit.Series.Where(s => s.Iterations.Count > 0 && s.Iterations.Count == s.Values.Count).ToList();
        if (usable.Count == 0)
        {
            return;
        }

        w.WriteLine(Invariant($"<div class=\"trainer-progress\" id=\"trainer-progress-{fitIndex}\">"));
        w.WriteLine($"<h3>{HtmlText.Encode(fit.Name)}: the trainer's progress per iteration</h3>");
        int drawn = 0, skipped = 0;
        foreach (IGrouping<string, IterationSeries> trainer in usable.GroupBy(s => Trainer(s.Name)))
        {
            var constant = new List<IterationSeries>();
            var charts = new List<(string Title, string YLabel, List<IterationSeries> Series)>();
            var losses = new List<IterationSeries>();
            foreach (IterationSeries series in trainer)
            {
                if (IsConstant(series))
                {
                    constant.Add(series);
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

            IterationSeries first = trainer.First();
            w.WriteLine(Invariant($"<p class=\"note\">{HtmlText.Encode(trainer.Key)}: {HtmlText.Integer(first.Iterations.Count)} reported iteration(s), from {first.Iterations[0]} to {first.Iterations[^1]}.") +
                string.Concat(constant.Select(s => $" {HtmlText.Encode(Quantity(s.Name))} was {HtmlText.Number(s.Values[0])} at every iteration.")) + "</p>");
            foreach (var (title, yLabel, series) in charts)
            {
                if (drawn >= MaxChartsPerStage)
                {
                    skipped++;
                    continue;
                }

                drawn++;

                List<ChartSeries> lines = series.Select((s, k) => ChartSeries.Build(s.Name, Invariant($"metric m{k % 6}"), s.Iterations, s.Values.Select(v => (double?)v).ToArray(),
                    maxChartPoints, new HashSet<long>())).ToList();
                string id = Invariant($"pipeline-chart-{chart++}");
                w.WriteLine($"<div class=\"chart-box small\" id=\"{id}-box\">");
                LineChartSvg.Write(w, id, title, yLabel, lines, [], LineChartSvg.SmallHeight, xLabel: "iteration");
                w.WriteLine("</div>");
                if (lines.Count > 1)
                {
                    w.WriteLine("<p class=\"legend\">" + string.Concat(lines.Select((l, k) =>
                        Invariant($"<span><span class=\"swatch m{k % 6}\"></span>{HtmlText.Encode(l.Name)}</span>"))) + "</p>");
                }
            }
        }

        if (skipped > 0)
        {
            w.WriteLine(Invariant($"<p class=\"note\">{HtmlText.Integer(skipped)} more chart(s) not drawn; the run log has every series.</p>"));
        }

        w.WriteLine("</div>");
    }

    /// <summary><c>sdca</c> of <c>sdca/duality_gap</c>; the whole name when it has no slash.</summary>
    private static string Trainer(string name) => name.LastIndexOf('/') is int slash and > 0 ? name[..slash] : name;

    /// <summary><c>duality_gap</c> of <c>sdca/duality_gap</c>.</summary>
    private static string Quantity(string name) => name.LastIndexOf('/') is int slash and >= 0 ? name[(slash + 1)..] : name;

    private static bool IsConstant(IterationSeries series) =>
        series.Values.Count > 1 && series.Values.All(v => v.Equals(series.Values[0])) && double.IsFinite(series.Values[0]);
}
