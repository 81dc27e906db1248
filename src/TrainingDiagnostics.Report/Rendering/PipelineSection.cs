using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>The report's Pipeline section: observed fits with their times, errors and log lines. Written only when the run has observed fits.</summary>
internal static class PipelineSection
{
    /// <summary>Log lines shown per stage (the rest are counted).</summary>
    public const int MaxLogLines = 200;

    public static void Write(TextWriter w, RunView run)
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
}
