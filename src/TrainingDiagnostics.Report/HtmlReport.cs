using System.Text;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.Rendering;
using static System.FormattableString;

namespace TrainingDiagnostics.Report;

/// <summary>
/// Renders runs as one self-contained HTML file each: a verdict at the top (healthy, warnings or failed, with the
/// three most important findings), the loss over steps with the run's validation losses drawn over it, a small chart
/// per other metric and for the learning rate, a per-parameter gradient-norm heatmap with update ratios,
/// an incident timeline whose entries open their details, and the run's metadata.
/// </summary>
/// <remarks>
/// <para>The file holds its own CSS and script (hover values, zoom on steps, layer filter) and the data they
/// draw, and makes no network request: its Content-Security-Policy is <c>default-src 'none'</c> and admits the
/// report's own style and script by hash only. Every string from the run is HTML-encoded, the embedded JSON
/// cannot close its script element, and every number is formatted with the invariant culture, so the file is
/// the same under any culture.</para>
/// <para>Cost: linear in steps x parameters. Long runs are downsampled (LTTB for lines, column maxima for the
/// heatmap) to a size set by <see cref="ReportOptions"/>, independent of the run's length; steps with an incident
/// are kept exactly.</para>
/// </remarks>
public static class HtmlReport
{
    /// <summary>Writes the report of <paramref name="run"/> to the file at <paramref name="path"/> (UTF-8), creating its folder if needed.</summary>
    /// <param name="run">The run to render.</param>
    /// <param name="path">The HTML file to create or overwrite.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Write(DiagnosticsRun run, string path, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        (options ?? new ReportOptions()).Validate();
        using StreamWriter writer = Create(path);
        Write(run, writer, options);
    }

    /// <summary>Writes the report of <paramref name="run"/> as one HTML document to <paramref name="writer"/>.</summary>
    /// <param name="run">The run to render.</param>
    /// <param name="writer">Where the HTML goes; flushed, not closed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Write(DiagnosticsRun run, TextWriter writer, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new ReportOptions();
        options.Validate();

        RunVerdict verdict = FindingRules.Evaluate(run);
        string title = options.Title ?? $"Training report: {run.Metadata.RunName}";
        var incidentIndex = RunSections.IncidentIndex(run, "", options.MaxIncidentDetails);
        var incidentSteps = run.Anomalies.Select(a => a.Step).ToHashSet();

        RunSections.Begin(writer, title);
        writer.WriteLine("<header>");
        writer.WriteLine($"<h1>{HtmlText.Encode(title)}</h1>");
        writer.WriteLine($"<p class=\"summary\">{Summary(run)}</p>");
        writer.WriteLine("</header>");
        RunSections.Banners(writer, run, "");
        RunSections.Verdict(writer, verdict, run, "verdict", "");

        ChartSeries loss = LossSeries(run, "loss", options.MaxChartPoints, incidentSteps) with { Name = "training loss" };
        List<MetricHistory> metrics = MetricHistory.FromRun(run);
        List<ChartSeries> overlays = metrics
            .Select((m, i) => (Metric: m, Index: i))
            .Where(m => MetricNames.IsLoss(m.Metric.Name))
            .Select(m => MetricCharts.Series(m.Metric, MetricCharts.MetricClass(m.Index), options.MaxChartPoints))
            .ToList();
        var incidentRules = run.Anomalies.Select(a => a.Step).Distinct().Order().ToList();
        var allSteps = run.Steps.Select(s => s.Step).Concat(run.Metrics.Select(m => m.Step)).ToList();
        (long xMin, long xMax) = allSteps.Count == 0 ? (0L, 1L) : (allSteps.Min(), allSteps.Max());

        writer.WriteLine("<section id=\"loss\">");
        writer.WriteLine(metrics.Count > 0 ? "<h2>Loss and metrics over steps</h2>" : "<h2>Loss over steps</h2>");
        writer.WriteLine("<div class=\"toolbar\"><button type=\"button\" id=\"zoom-reset\">Reset zoom</button><span id=\"zoom-range\">all steps</span>" +
            "<span>Drag across a chart to zoom on steps (every chart and the heatmap follow); double-click to reset. Hover for values. Red dashes: incidents.</span></div>");
        writer.WriteLine("<div class=\"chart-box\" id=\"loss-chart-box\">");
        LineChartSvg.Write(writer, "loss-chart", "Training loss over steps", "loss", [loss, .. overlays], incidentRules, range: (xMin, xMax));
        writer.WriteLine("</div>");
        if (overlays.Count > 0)
        {
            writer.Write("<p class=\"legend\" id=\"loss-legend\"><span><span class=\"swatch loss\"></span>training loss (each step)</span>");
            foreach (ChartSeries overlay in overlays)
            {
                string css = overlay.CssClass.Split(' ')[^1];
                writer.Write(Invariant($"<span><span class=\"swatch {css}\"></span>{HtmlText.Encode(overlay.Name)}: {overlay.PointCount} evaluation(s), the dots</span>"));
            }

            writer.WriteLine("</p>");
        }

        int nonFinite = run.Steps.Count(s => !double.IsFinite(s.Loss));
        if (nonFinite > 0)
        {
            writer.WriteLine(Invariant($"<p class=\"note\" id=\"nonfinite-loss-note\">{nonFinite} step(s) had a non-finite loss (NaN or infinity): red markers at the top; the line is broken there.</p>"));
        }

        List<LineChartData> smallCharts = MetricCharts.WriteSmallCharts(writer, run, metrics, options.MaxChartPoints, incidentSteps, incidentRules, (xMin, xMax));
        writer.WriteLine("</section>");

        GradientHeatmap heatmap = GradientHeatmap.Build(run.Steps, options.MaxHeatmapColumns);
        writer.WriteLine("<section id=\"gradient-norms\">");
        writer.WriteLine("<h2>Gradient norms per parameter</h2>");
        if (heatmap.Layers.Count > 0)
        {
            writer.WriteLine("<p class=\"note\">One row per parameter, one column per step (or per run of consecutive steps in long runs, showing the largest value). " +
                "Colour: log scale. Red: NaN or infinity; black: exactly zero; grey: not measured.</p>");
            writer.WriteLine("<div class=\"toolbar\" id=\"heatmap-toolbar\"><label>Show <select id=\"heat-metric\"><option value=\"gradient\">gradient norm</option>" +
                (heatmap.Update is null ? "" : "<option value=\"update\">update / weight ratio</option>") +
                "</select></label><label>Filter <input id=\"layer-filter\" type=\"search\" placeholder=\"parameter name\" autocomplete=\"off\"></label><span id=\"layer-count\"></span></div>");
            writer.WriteLine(Invariant($"<canvas id=\"heatmap-canvas\" width=\"760\" height=\"{Math.Max(20, Math.Min(480, heatmap.Layers.Count * 12))}\" role=\"img\" aria-label=\"gradient norm per parameter and step, log colour scale\"></canvas>"));
            writer.WriteLine("<div class=\"legend\"><span id=\"legend-lo\"></span><canvas id=\"heatmap-legend\" width=\"256\" height=\"1\"></canvas><span id=\"legend-hi\"></span><span>(log scale)</span></div>");
            writer.WriteLine("<noscript><p class=\"note\">The heatmap needs JavaScript; the table below has the same numbers.</p></noscript>");
        }

        RunSections.GradientTable(writer, LayerGradientSummary.FromRun(run));
        writer.WriteLine("</section>");

        RunSections.Incidents(writer, run, "", options.MaxIncidentDetails, "Incidents");
        DataSection.Write(writer, run); // ML.NET pipeline records: only when present
        PipelineSection.Write(writer, run);
        RunSections.Metadata(writer, run, "metadata");

        bool log = LineChartSvg.PrefersLogScale([loss, .. overlays]);
        RunSections.End(writer, ReportDataJson.Build(xMin, xMax, loss, log, overlays, smallCharts, heatmap, incidentIndex));
    }

    /// <summary>Writes one report comparing <paramref name="runs"/> side by side to the file at <paramref name="path"/> (UTF-8).</summary>
    /// <param name="runs">The runs, in the order they are listed and coloured; at least one.</param>
    /// <param name="path">The HTML file to create or overwrite; its folder is created if needed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Compare(IReadOnlyList<DiagnosticsRun> runs, string path, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        (options ?? new ReportOptions()).Validate();
        using StreamWriter writer = Create(path);
        Compare(runs, writer, options);
    }

    /// <summary>
    /// Writes one HTML document comparing <paramref name="runs"/>: a table of their verdicts and key numbers, their
    /// losses and total gradient norms overlaid, each run's findings and incidents, and their metadata side by side
    /// with differing values marked.
    /// </summary>
    /// <param name="runs">The runs, in the order they are listed and coloured; at least one.</param>
    /// <param name="writer">Where the HTML goes; flushed, not closed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Compare(IReadOnlyList<DiagnosticsRun> runs, TextWriter writer, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(writer);
        if (runs.Count == 0 || runs.Any(r => r is null))
        {
            throw new ArgumentException("Compare needs at least one run, and no run may be null.", nameof(runs));
        }

        options ??= new ReportOptions();
        options.Validate();
        CompareWriter.Write(runs, writer, options);
    }

    internal static ChartSeries LossSeries(DiagnosticsRun run, string cssClass, int maxPoints, IReadOnlySet<long> keep) =>
        ChartSeries.Build(run.Metadata.RunName, cssClass, run.Steps.Select(s => s.Step).ToArray(),
            run.Steps.Select(s => (double?)s.Loss).ToArray(), maxPoints, keep);

    private static StreamWriter Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        return new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string Summary(DiagnosticsRun run)
    {
        if (run.Steps.Count == 0)
        {
            return "No steps recorded.";
        }

        StepRecord last = run.Steps[^1];
        string metrics = string.Concat(MetricHistory.FromRun(run).Where(m => m.Direction != MetricDirection.Unknown).Take(3)
            .Select(m => Invariant($"; {HtmlText.Encode(m.Name)} {HtmlText.Number(m.Values[^1])}")));
        return Invariant($"{run.Steps.Count} steps recorded; final loss {HtmlText.Number(last.Loss)} at step {last.Step}{metrics}.");
    }
}
