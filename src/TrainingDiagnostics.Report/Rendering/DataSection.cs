using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>The report's Data section: per profile, a column table and its findings. Written only when the run has data profiles.</summary>
internal static class DataSection
{
    public static void Write(TextWriter w, RunView run)
    {
        if (run.DataProfiles.Count == 0)
        {
            return;
        }

        w.WriteLine("<section id=\"data\">");
        w.WriteLine("<h2>Data</h2>");
        foreach (DataProfileRecord profile in run.DataProfiles)
        {
            string spread = double.IsFinite(profile.ScaleSpread) ? Invariant($"; typical magnitudes span a factor of {HtmlText.Number(profile.ScaleSpread)}") : "";
            w.WriteLine(Invariant($"<h3>{HtmlText.Encode(profile.Name)}</h3>"));
            w.WriteLine(Invariant($"<p class=\"note\">{HtmlText.Integer(profile.RowCount)} rows{spread}. Statistics over finite values.</p>"));
            if (profile.Findings.Count > 0)
            {
                w.WriteLine("<ul class=\"data-findings\">");
                foreach (DataFinding finding in profile.Findings)
                {
                    string css = finding.Severity == AnomalySeverity.Critical ? "critical" : "warning";
                    w.WriteLine(Invariant($"<li class=\"finding\" data-rule=\"{HtmlText.Encode(finding.Rule)}\"><span class=\"sev sev-{css}\">{css}</span> {HtmlText.Encode(finding.Title)}<span class=\"finding-detail\">{HtmlText.Encode(finding.Detail)}</span></li>"));
                }

                w.WriteLine("</ul>");
            }

            w.WriteLine("<table class=\"data-columns\">");
            w.WriteLine("<thead><tr><th scope=\"col\">Column</th><th scope=\"col\" class=\"text\">Type</th><th scope=\"col\">Values</th><th scope=\"col\">Non-finite</th>" +
                "<th scope=\"col\">Min</th><th scope=\"col\">Max</th><th scope=\"col\">Mean</th><th scope=\"col\">Std dev</th><th scope=\"col\">Constant</th></tr></thead>");
            w.WriteLine("<tbody>");
            foreach (ColumnProfile c in profile.Columns)
            {
                string bad = c.NonFiniteCount > 0 ? " class=\"bad\"" : "";
                w.WriteLine(Invariant($"<tr><th scope=\"row\">{HtmlText.Encode(c.Name)}</th><td class=\"text\">{HtmlText.Encode(c.Type)}</td><td>{HtmlText.Integer(c.Count)}</td>") +
                    Invariant($"<td{bad}>{HtmlText.Integer(c.NonFiniteCount)}</td><td>{HtmlText.Number(c.Min)}</td><td>{HtmlText.Number(c.Max)}</td>") +
                    Invariant($"<td>{HtmlText.Number(c.Mean)}</td><td>{HtmlText.Number(c.StandardDeviation)}</td><td>{(c.IsConstant ? "yes" : "")}</td></tr>"));
            }

            w.WriteLine("</tbody>");
            w.WriteLine("</table>");
        }

        w.WriteLine("</section>");
    }
}
