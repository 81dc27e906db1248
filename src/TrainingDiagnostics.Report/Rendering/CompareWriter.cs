using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// Writes the comparison page (verdicts and key numbers, loss, gradient norm, metrics and learning rates, findings,
/// incidents, metadata) of <see cref="HtmlReport.Compare(IReadOnlyList{DiagnosticsRun}, TextWriter, ReportOptions?)"/>
/// from its <see cref="CompareView"/>; reads nothing else.
/// </summary>
internal static class CompareWriter
{
    public static void Write(CompareView page, TextWriter w)
    {
        IReadOnlyList<ComparedRun> runs = page.Runs;
        RunSections.Begin(w, page.Title);
        w.WriteLine("<header>");
        w.WriteLine($"<h1>{HtmlText.Encode(page.Title)}</h1>");
        w.WriteLine(Invariant($"<p class=\"summary\">{runs.Count} runs side by side. Colours are the same in every chart.</p>"));
        w.WriteLine("</header>");
        foreach (ComparedRun run in runs)
        {
            RunSections.Banners(w, run.Run, run.IdPrefix);
        }

        Overview(w, runs);

        w.WriteLine("<section id=\"loss\">");
        w.WriteLine("<h2>Loss</h2>");
        LineChartSvg.Write(w, "loss-chart", "Training loss over steps, every run", "loss", runs.Select(r => r.Loss).ToList(), []);
        Legend(w, runs);
        w.WriteLine("</section>");

        w.WriteLine("<section id=\"gradient-norm\">");
        w.WriteLine("<h2>Total gradient norm</h2>");
        w.WriteLine("<p class=\"note\">The L2 norm of all gradients together per step (recorded, or computed from the per-parameter norms).</p>");
        LineChartSvg.Write(w, "gradient-norm-chart", "Total gradient norm over steps, every run", "gradient norm", runs.Select(r => r.GradientNorm).ToList(), []);
        Legend(w, runs);
        w.WriteLine("</section>");

        MetricSections(w, page);

        w.WriteLine("<section id=\"verdicts\">");
        w.WriteLine("<h2>Findings per run</h2>");
        foreach (ComparedRun run in runs)
        {
            RunSections.Verdict(w, run.Verdict, run.Run, run.IdPrefix + "verdict", run.Run.Metadata.RunName + ": ");
        }

        w.WriteLine("</section>");

        w.WriteLine("<section id=\"anomalies\">");
        foreach (ComparedRun run in runs)
        {
            RunSections.Incidents(w, run.Run, run.Incidents, run.IdPrefix, "Incidents: " + run.Run.Metadata.RunName);
        }

        w.WriteLine("</section>");
        Metadata(w, runs);
        RunSections.End(w, dataJson: null);
    }

    /// <summary>One chart per metric name (a dot per value with its value as the dot's title), then the learning rates.</summary>
    private static void MetricSections(TextWriter w, CompareView page)
    {
        if (page.MetricCharts.Count == 0 && page.LearningRates is null)
        {
            return;
        }

        w.WriteLine("<section id=\"metrics\">");
        w.WriteLine("<h2>Metrics and learning rate</h2>");
        w.WriteLine("<p class=\"note\">Metrics the runs recorded (validation loss, accuracy...), one chart per name. Hover a dot for its value.</p>");
        foreach ((string name, LineChartData chart) in page.MetricCharts)
        {
            w.WriteLine($"<h3>{HtmlText.Encode(name)}</h3>");
            MetricCharts.Write(w, chart, [], page.Range);
        }

        if (page.LearningRates is { } rates)
        {
            w.WriteLine("<h3>Learning rate</h3>");
            MetricCharts.Write(w, rates, [], page.Range);
        }

        Legend(w, page.Runs);
        w.WriteLine("</section>");
    }

    private static string Swatch(ComparedRun run) => Invariant($"<span class=\"swatch s{run.Index % MetricSeries.Colours}\"></span>");

    private static void Legend(TextWriter w, IReadOnlyList<ComparedRun> runs)
    {
        w.Write("<p class=\"legend\">");
        foreach (ComparedRun run in runs)
        {
            w.Write($"<span>{Swatch(run)}{HtmlText.Encode(run.Run.Metadata.RunName)}</span>");
        }

        w.WriteLine("</p>");
    }

    private static void Overview(TextWriter w, IReadOnlyList<ComparedRun> runs)
    {
        w.WriteLine("<section id=\"runs\">");
        w.WriteLine("<h2>Runs</h2>");
        w.WriteLine("<table id=\"run-table\"><thead><tr><th scope=\"col\">Run</th><th scope=\"col\" class=\"text\">Verdict</th><th scope=\"col\">Steps</th>" +
            "<th scope=\"col\">Final loss</th><th scope=\"col\">Lowest loss</th><th scope=\"col\" class=\"text\">Last metrics</th><th scope=\"col\">Incidents</th><th scope=\"col\" class=\"text\">Most important finding</th></tr></thead><tbody>");
        foreach (ComparedRun run in runs)
        {
            Finding? top = run.Verdict.Findings.FirstOrDefault();
            w.WriteLine($"<tr class=\"{RunSections.VerdictClass(run.Verdict.Level)}\"><th scope=\"row\">{Swatch(run)}{HtmlText.Encode(run.Run.Metadata.RunName)}</th>" +
                $"<td class=\"text verdict-cell\">{run.Verdict.Label}</td><td>{HtmlText.Integer(run.Run.Steps.Count)}</td>" +
                $"<td>{HtmlText.Number(run.FinalLoss)}</td><td>{HtmlText.Number(run.LowestLoss)}</td>" +
                $"<td class=\"text\">{LastMetrics(run)}</td><td>{HtmlText.Integer(run.Run.Incidents.Count)}</td><td class=\"text\">{HtmlText.Encode(top?.Title ?? "\u2013")}</td></tr>");
        }

        w.WriteLine("</tbody></table>");
        w.WriteLine("</section>");
    }

    /// <summary>The last value of each metric the report can judge, one a line, encoded: <c>validation/accuracy 0.9638</c>.</summary>
    private static string LastMetrics(ComparedRun run)
    {
        string text = string.Join("<br>", run.LastMetrics.Select(m => HtmlText.Encode(m.Name) + "\u00a0" + HtmlText.Number(m.Last)));
        return text.Length == 0 ? "\u2013" : text;
    }

    private static void Metadata(TextWriter w, IReadOnlyList<ComparedRun> runs)
    {
        var rows = runs.Select(r => RunSections.MetadataRows(r.Run)).Select(r => r.GroupBy(x => x.Label).ToDictionary(g => g.Key, g => g.First().Value)).ToArray();
        var labels = runs.SelectMany(r => RunSections.MetadataRows(r.Run)).Select(r => r.Label).Distinct().ToList();
        w.WriteLine("<section id=\"metadata\">");
        w.WriteLine("<h2>Runs' metadata</h2>");
        w.WriteLine("<p class=\"note\">Highlighted: values that differ between runs.</p>");
        w.Write("<table id=\"metadata-table\"><thead><tr><th scope=\"col\"></th>");
        foreach (ComparedRun run in runs)
        {
            w.Write($"<th scope=\"col\" class=\"text\">{Swatch(run)}{HtmlText.Encode(run.Run.Metadata.RunName)}</th>");
        }

        w.WriteLine("</tr></thead><tbody>");
        foreach (string label in labels)
        {
            string?[] values = rows.Select(r => r.GetValueOrDefault(label)).ToArray();
            string css = values.Distinct().Count() > 1 ? "text diff" : "text";
            w.Write($"<tr><th scope=\"row\">{HtmlText.Encode(label)}</th>");
            foreach (string? value in values)
            {
                w.Write($"<td class=\"{css}\">{HtmlText.Encode(value ?? "\u2013")}</td>");
            }

            w.WriteLine("</tr>");
        }

        w.WriteLine("</tbody></table>");
        w.WriteLine("</section>");
    }
}
