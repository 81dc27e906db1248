using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>The comparison page (verdicts and key numbers, loss, gradient norm, metrics and learning rates, findings, incidents, metadata) of <see cref="HtmlReport.Compare(IReadOnlyList{DiagnosticsRun}, TextWriter, ReportOptions?)"/>.</summary>
internal static class CompareWriter
{
    private const int Colours = 6;

    public static void Write(IReadOnlyList<DiagnosticsRun> runs, TextWriter w, ReportOptions options)
    {
        RunView[] views = runs.Select(r => RunFold.FromRun(r, options)).ToArray();
        RunVerdict[] verdicts = views.Select(FindingRules.Evaluate).ToArray();
        string title = options.Title ?? "Comparison: " + string.Join(" vs ", runs.Select(r => r.Metadata.RunName));
        RunSections.Begin(w, title);
        w.WriteLine("<header>");
        w.WriteLine($"<h1>{HtmlText.Encode(title)}</h1>");
        w.WriteLine(Invariant($"<p class=\"summary\">{runs.Count} runs side by side. Colours are the same in every chart.</p>"));
        w.WriteLine("</header>");
        for (int i = 0; i < runs.Count; i++)
        {
            RunSections.Banners(w, views[i], Prefix(i));
        }

        Overview(w, runs, verdicts);

        w.WriteLine("<section id=\"loss\">");
        w.WriteLine("<h2>Loss</h2>");
        var series = views.Select((v, i) => v.Steps.Loss with { Name = v.Metadata.RunName, CssClass = Series(i) }).ToList();
        LineChartSvg.Write(w, "loss-chart", "Training loss over steps, every run", "loss", series, []);
        Legend(w, runs);
        w.WriteLine("</section>");

        w.WriteLine("<section id=\"gradient-norm\">");
        w.WriteLine("<h2>Total gradient norm</h2>");
        w.WriteLine("<p class=\"note\">The L2 norm of all gradients together per step (recorded, or computed from the per-parameter norms).</p>");
        var norms = runs.Select((r, i) => ChartSeries.Build(r.Metadata.RunName, Series(i), r.Steps.Select(s => s.Step).ToArray(),
            r.Steps.Select(TotalGradientNorm).ToArray(), options.MaxChartPoints, r.Anomalies.Select(a => a.Step).ToHashSet())).ToList();
        LineChartSvg.Write(w, "gradient-norm-chart", "Total gradient norm over steps, every run", "gradient norm", norms, []);
        Legend(w, runs);
        w.WriteLine("</section>");

        MetricSections(w, runs, options);

        w.WriteLine("<section id=\"verdicts\">");
        w.WriteLine("<h2>Findings per run</h2>");
        for (int i = 0; i < runs.Count; i++)
        {
            RunSections.Verdict(w, verdicts[i], views[i], Prefix(i) + "verdict", runs[i].Metadata.RunName + ": ");
        }

        w.WriteLine("</section>");

        w.WriteLine("<section id=\"anomalies\">");
        for (int i = 0; i < runs.Count; i++)
        {
            RunSections.Incidents(w, views[i], Prefix(i), "Incidents: " + runs[i].Metadata.RunName);
        }

        w.WriteLine("</section>");
        Metadata(w, views);
        RunSections.End(w, dataJson: null);
    }

    /// <summary>
    /// One chart per metric name (every run that recorded it, in its colour, a dot per value with its value as the dot's
    /// title), then the learning rates.
    /// </summary>
    private static void MetricSections(TextWriter w, IReadOnlyList<DiagnosticsRun> runs, ReportOptions options)
    {
        var steps = runs.SelectMany(r => r.Steps.Select(s => s.Step).Concat(r.Metrics.Select(m => m.Step))).ToList();
        (long, long)? range = steps.Count == 0 ? null : (steps.Min(), steps.Max());
        var histories = runs.Select(MetricHistory.FromRun).ToArray();
        var names = histories.SelectMany(h => h.Select(m => m.Name)).Distinct(StringComparer.Ordinal).ToList();
        var rates = runs.Select((r, i) => MetricCharts.LearningRate(r, r.Metadata.RunName, Series(i), options.MaxChartPoints, new HashSet<long>())).ToArray();
        if (names.Count == 0 && rates.All(r => r is null))
        {
            return;
        }

        w.WriteLine("<section id=\"metrics\">");
        w.WriteLine("<h2>Metrics and learning rate</h2>");
        w.WriteLine("<p class=\"note\">Metrics the runs recorded (validation loss, accuracy...), one chart per name. Hover a dot for its value.</p>");
        for (int k = 0; k < names.Count; k++)
        {
            var series = new List<ChartSeries>();
            for (int i = 0; i < runs.Count; i++)
            {
                if (histories[i].FirstOrDefault(m => m.Name == names[k]) is { } metric)
                {
                    series.Add(MetricCharts.Series(metric, Series(i), options.MaxChartPoints) with { Name = runs[i].Metadata.RunName + " " + metric.Name });
                }
            }

            w.WriteLine($"<h3>{HtmlText.Encode(names[k])}</h3>");
            MetricCharts.Write(w, new LineChartData(Invariant($"metric-chart-{k}"), names[k] + " over steps, every run", MetricCharts.ShortName(names[k]),
                LineChartSvg.SmallHeight, LineChartSvg.PrefersLogScale(series), series), [], range);
        }

        if (rates.Any(r => r is not null))
        {
            var series = rates.Where(r => r is not null).Select(r => r!).ToList();
            w.WriteLine("<h3>Learning rate</h3>");
            MetricCharts.Write(w, new LineChartData("lr-chart", "Learning rate over steps, every run", "learning rate",
                LineChartSvg.SmallHeight, LineChartSvg.PrefersLogScale(series), series), [], range);
        }

        Legend(w, runs);
        w.WriteLine("</section>");
    }

    private static string Prefix(int i) => Invariant($"r{i}-");

    private static string Series(int i) => Invariant($"series s{i % Colours}");

    private static string Swatch(int i) => Invariant($"<span class=\"swatch s{i % Colours}\"></span>");

    private static void Legend(TextWriter w, IReadOnlyList<DiagnosticsRun> runs)
    {
        w.Write("<p class=\"legend\">");
        for (int i = 0; i < runs.Count; i++)
        {
            w.Write($"<span>{Swatch(i)}{HtmlText.Encode(runs[i].Metadata.RunName)}</span>");
        }

        w.WriteLine("</p>");
    }

    private static double? TotalGradientNorm(StepRecord step)
    {
        if (step.GradientNorm is double total)
        {
            return total;
        }

        double sum = 0;
        bool any = false;
        foreach (LayerStatistics layer in step.Layers)
        {
            if (layer.GradientNorm is double g)
            {
                sum += g * g;
                any = true;
            }
        }

        return any ? Math.Sqrt(sum) : null;
    }

    private static void Overview(TextWriter w, IReadOnlyList<DiagnosticsRun> runs, RunVerdict[] verdicts)
    {
        w.WriteLine("<section id=\"runs\">");
        w.WriteLine("<h2>Runs</h2>");
        w.WriteLine("<table id=\"run-table\"><thead><tr><th scope=\"col\">Run</th><th scope=\"col\" class=\"text\">Verdict</th><th scope=\"col\">Steps</th>" +
            "<th scope=\"col\">Final loss</th><th scope=\"col\">Lowest loss</th><th scope=\"col\" class=\"text\">Last metrics</th><th scope=\"col\">Incidents</th><th scope=\"col\" class=\"text\">Most important finding</th></tr></thead><tbody>");
        for (int i = 0; i < runs.Count; i++)
        {
            DiagnosticsRun run = runs[i];
            double[] finite = run.Steps.Select(s => s.Loss).Where(double.IsFinite).ToArray();
            Finding? top = verdicts[i].Findings.FirstOrDefault();
            w.WriteLine($"<tr class=\"{RunSections.VerdictClass(verdicts[i].Level)}\"><th scope=\"row\">{Swatch(i)}{HtmlText.Encode(run.Metadata.RunName)}</th>" +
                $"<td class=\"text verdict-cell\">{verdicts[i].Label}</td><td>{HtmlText.Integer(run.Steps.Count)}</td>" +
                $"<td>{HtmlText.Number(run.Steps.Count == 0 ? null : run.Steps[^1].Loss)}</td><td>{HtmlText.Number(finite.Length == 0 ? null : finite.Min())}</td>" +
                $"<td class=\"text\">{LastMetrics(run)}</td><td>{HtmlText.Integer(run.Anomalies.Count)}</td><td class=\"text\">{HtmlText.Encode(top?.Title ?? "\u2013")}</td></tr>");
        }

        w.WriteLine("</tbody></table>");
        w.WriteLine("</section>");
    }

    /// <summary>The last value of each metric the report can judge, one a line, encoded: <c>validation/accuracy 0.9638</c>.</summary>
    private static string LastMetrics(DiagnosticsRun run)
    {
        string text = string.Join("<br>", MetricHistory.FromRun(run).Where(m => m.Direction != MetricDirection.Unknown)
            .Select(m => HtmlText.Encode(m.Name) + "\u00a0" + HtmlText.Number(m.Values[^1])));
        return text.Length == 0 ? "\u2013" : text;
    }

    private static void Metadata(TextWriter w, IReadOnlyList<RunView> runs)
    {
        var rows = runs.Select(RunSections.MetadataRows).Select(r => r.GroupBy(x => x.Label).ToDictionary(g => g.Key, g => g.First().Value)).ToArray();
        var labels = runs.SelectMany(RunSections.MetadataRows).Select(r => r.Label).Distinct().ToList();
        w.WriteLine("<section id=\"metadata\">");
        w.WriteLine("<h2>Runs' metadata</h2>");
        w.WriteLine("<p class=\"note\">Highlighted: values that differ between runs.</p>");
        w.Write("<table id=\"metadata-table\"><thead><tr><th scope=\"col\"></th>");
        for (int i = 0; i < runs.Count; i++)
        {
            w.Write($"<th scope=\"col\" class=\"text\">{Swatch(i)}{HtmlText.Encode(runs[i].Metadata.RunName)}</th>");
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
