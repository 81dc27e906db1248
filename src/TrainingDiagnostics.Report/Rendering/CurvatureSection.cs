using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The report's Curvature section: the sharpness (top Hessian eigenvalue, with its Lanczos residual as error bar) against the
/// edge-of-stability line 2/lr, the Hessian trace (± one standard error), and a table of the numbers. Written only when the
/// run has curvature records.
/// </summary>
internal static class CurvatureSection
{
    /// <summary>Writes the section from <paramref name="charts"/> (picked with the page's view); nothing when the run measured no curvature.</summary>
    public static void Write(TextWriter w, RunView run, CurvatureCharts charts)
    {
        CurvatureView view = run.Curvature;
        if (view.MeasuredSteps == 0)
        {
            return;
        }

        var points = view.Points;
        w.WriteLine("<section id=\"curvature\">");
        w.WriteLine("<h2>Curvature</h2>");
        w.WriteLine(Invariant($"<p class=\"note\">The Hessian of the training loss, estimated without forming it on the batch of each of the {HtmlText.Integer(view.MeasuredSteps)} measured step(s): ") +
            " the top eigenvalue (sharpness) by Lanczos, the trace by Hutchinson's estimator. " +
            "Error bars: the Lanczos residual (a bound on the eigenvalue's error) and one standard error of the trace.</p>");

        var (sharp, threshold) = (charts.Sharpness, charts.Threshold);
        if (sharp.Count > 0)
        {
            w.WriteLine("<div class=\"chart-box\" id=\"sharpness-chart-box\">");
            CurvatureChartSvg.Write(w, "sharpness-chart", "Top Hessian eigenvalue (sharpness) over steps", "top eigenvalue", "sharpness", sharp, threshold, run.Range);
            w.WriteLine("</div>");
            w.Write("<p class=\"legend\"><span><span class=\"swatch sharpness\"></span>top eigenvalue (sharpness)</span>");
            if (threshold.Count > 0)
            {
                w.Write("<span><span class=\"swatch eos\"></span>2/lr: gradient descent's edge of stability (Cohen et al. 2021)</span>");
            }

            w.WriteLine("</p>");
            if (threshold.Count == 0)
            {
                w.WriteLine("<p class=\"note\">No learning rate was recorded at these steps, so the edge-of-stability line 2/lr is not drawn.</p>");
            }
        }

        var trace = charts.Trace;
        if (trace.Count > 0)
        {
            w.WriteLine("<div class=\"chart-box\" id=\"trace-chart-box\">");
            CurvatureChartSvg.Write(w, "trace-chart", "Hessian trace over steps", "trace", "trace", trace, [], run.Range);
            w.WriteLine("</div>");
        }

        w.WriteLine(Invariant($"<details class=\"curvature-table\"><summary>The numbers ({HtmlText.Integer(points.Count)} step(s){(points.Count < view.MeasuredSteps ? ", thinned" : "")})</summary>"));
        w.WriteLine("<table class=\"curvature\">");
        w.WriteLine("<thead><tr><th scope=\"col\">Step</th><th scope=\"col\">Top eigenvalue</th><th scope=\"col\">± residual</th><th scope=\"col\">2/lr</th>" +
            "<th scope=\"col\">Trace</th><th scope=\"col\">± s.e.</th><th scope=\"col\">Matvecs</th></tr></thead>");
        w.WriteLine("<tbody>");
        var rows = charts.Rows;
        for (int i = 0; i < rows.Count; i++)
        {
            if (charts.HiddenRows > 0 && i == CurvatureCharts.MaxRows / 2)
            {
                w.WriteLine(Invariant($"<tr><td colspan=\"7\" class=\"text\">... {HtmlText.Integer(charts.HiddenRows)} more step(s)</td></tr>"));
            }

            CurvaturePoint p = rows[i];
            string above = p.TopEigenvalue > p.StabilityThreshold ? " class=\"bad\"" : "";
            w.WriteLine(Invariant($"<tr><th scope=\"row\">{HtmlText.Integer(p.Step)}</th><td{above}>{HtmlText.Number(p.TopEigenvalue)}</td><td>{HtmlText.Number(p.Residual)}</td>") +
                Invariant($"<td>{HtmlText.Number(p.StabilityThreshold)}</td><td>{HtmlText.Number(p.Trace)}</td><td>{HtmlText.Number(p.TraceStandardError)}</td><td>{HtmlText.Integer(p.MatVecs)}</td></tr>"));
        }

        w.WriteLine("</tbody>");
        w.WriteLine("</table>");
        w.WriteLine("</details>");
        w.WriteLine("</section>");
    }
}
