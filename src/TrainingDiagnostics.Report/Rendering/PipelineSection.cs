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

    /// <summary>Writes the section: the stages' table, their trainers' <paramref name="progress"/> (built with the page's view), their log lines.</summary>
    public static void Write(TextWriter w, RunView run, IReadOnlyList<StageProgress> progress)
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
        foreach (StageProgress stage in progress)
        {
            WriteProgress(w, stage);
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
    private static void WriteProgress(TextWriter w, StageProgress stage)
    {
        w.WriteLine(Invariant($"<div class=\"trainer-progress\" id=\"trainer-progress-{stage.FitIndex}\">"));
        w.WriteLine($"<h3>{HtmlText.Encode(stage.Stage)}: the trainer's progress per iteration</h3>");
        foreach (TrainerProgress trainer in stage.Trainers)
        {
            w.WriteLine(Invariant($"<p class=\"note\">{HtmlText.Encode(trainer.Name)}: {HtmlText.Integer(trainer.Iterations)} reported iteration(s), from {trainer.FirstIteration} to {trainer.LastIteration}.") +
                string.Concat(trainer.Constant.Select(c => $" {HtmlText.Encode(c.Quantity)} was {HtmlText.Number(c.Value)} at every iteration.")) + "</p>");
            foreach (LineChartData chart in trainer.Charts)
            {
                MetricCharts.Write(w, chart, [], null, xLabel: "iteration");
                if (chart.Series.Count > 1)
                {
                    w.WriteLine("<p class=\"legend\">" + string.Concat(chart.Series.Select((l, k) =>
                        Invariant($"<span><span class=\"swatch m{k % MetricSeries.Colours}\"></span>{HtmlText.Encode(l.Name)}</span>"))) + "</p>");
                }
            }
        }

        if (stage.Skipped > 0)
        {
            w.WriteLine(Invariant($"<p class=\"note\">{HtmlText.Integer(stage.Skipped)} more chart(s) not drawn; the run log has every series.</p>"));
        }

        w.WriteLine("</div>");
    }
}
