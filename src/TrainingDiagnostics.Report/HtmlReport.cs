using System.Text;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.Rendering;
using TrainingDiagnostics.Report.View;
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
/// <para>Cost: one pass over the records (linear in steps x parameters) folds the run into a view model whose size does
/// not grow with the run (downsampled series, a fixed number of heatmap columns, per-parameter summaries, a bounded
/// incident digest); the page's view is built from that once (verdict, series, readings), and both renderers (HTML and
/// the embedded JSON) read only the view. Lines are downsampled with LTTB, the
/// heatmap keeps column maxima, steps with an incident are kept exactly. From a log
/// (<see cref="WriteLogs(IReadOnlyList{string}, string, ReportOptions?, IProgress{double}?)"/>) memory stays bounded
/// whatever the run's length: 16 to 32 bytes per step for the loss and learning-rate columns, the rest fixed.</para>
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
        Render(RunFold.FromRun(run, options), writer, options);
    }

    /// <summary>
    /// Writes the report of the run log at each of <paramref name="logPaths"/> to the file at <paramref name="outputPath"/>,
    /// streaming: one pass over the log(s), memory bounded whatever the run's length (see <see cref="RunLogCursor"/>).
    /// One path is one run; several paths must be the per-rank logs of one distributed run
    /// (<see cref="RankLogs.AreRanksOfOneRun"/>) and are merged by step.
    /// </summary>
    /// <param name="logPaths">One run log, or the per-rank logs of one run.</param>
    /// <param name="outputPath">The HTML file to create or overwrite; its folder is created if needed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the share of the logs' bytes read so far (0 to 1), now and then; may be null.</param>
    /// <returns>What the report says: the run's metadata, verdict, step and incident counts, completeness.</returns>
    /// <exception cref="InvalidDataException">A log is not a run log, or is damaged before its last line.</exception>
    /// <exception cref="ArgumentException">Several logs that are not the ranks of one run.</exception>
    public static ReportSummary WriteLogs(IReadOnlyList<string> logPaths, string outputPath, ReportOptions? options = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        options ??= new ReportOptions();
        options.Validate();
        ReportView page = ReportView.Build(FoldLogs(logPaths, options, progress), options);
        using StreamWriter writer = Create(outputPath);
        Render(page, writer);
        return Summarize(page.Run, page.Verdict);
    }

    /// <summary>
    /// Writes the report of the run log(s) at <paramref name="logPaths"/> as one HTML document to <paramref name="writer"/>,
    /// streaming, as <see cref="WriteLogs(IReadOnlyList{string}, string, ReportOptions?, IProgress{double}?)"/> does.
    /// </summary>
    /// <param name="logPaths">One run log, or the per-rank logs of one run.</param>
    /// <param name="writer">Where the HTML goes; flushed, not closed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the share of the logs' bytes read so far (0 to 1); may be null.</param>
    /// <returns>What the report says.</returns>
    public static ReportSummary WriteLogs(IReadOnlyList<string> logPaths, TextWriter writer, ReportOptions? options = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new ReportOptions();
        options.Validate();
        ReportView page = ReportView.Build(FoldLogs(logPaths, options, progress), options);
        Render(page, writer);
        return Summarize(page.Run, page.Verdict);
    }

    /// <summary>The verdict on the run log(s) at <paramref name="logPaths"/>, streaming (one pass, bounded memory), without rendering.</summary>
    /// <param name="logPaths">One run log, or the per-rank logs of one run.</param>
    /// <returns>What the report would say.</returns>
    public static ReportSummary Summarize(IReadOnlyList<string> logPaths)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        return Summarize(FoldLogs(logPaths, new ReportOptions(), null));
    }

    private static ReportSummary Summarize(RunView view) => Summarize(view, FindingRules.Evaluate(view));

    private static ReportSummary Summarize(RunView view, RunVerdict verdict) => new()
    {
        Metadata = view.Metadata,
        Verdict = verdict,
        IsComplete = view.IsComplete,
        StepCount = view.Steps.Count,
        IncidentCount = view.Incidents.Count,
    };

    private static RunView FoldLogs(IReadOnlyList<string> logPaths, ReportOptions options, IProgress<double>? progress)
    {
        if (logPaths.Count == 0)
        {
            throw new ArgumentException("At least one run log is needed.", nameof(logPaths));
        }

        var cursors = new List<RunLogCursor>(logPaths.Count);
        try
        {
            foreach (string path in logPaths)
            {
                cursors.Add(RunLogReader.Open(path));
            }

            if (cursors.Count == 1)
            {
                return RunFold.FromLog(cursors[0], options, progress);
            }

            if (!RankLogs.AreRanksOfOneRun(cursors.Select(c => c.Metadata).ToList()))
            {
                throw new ArgumentException("Several run logs are rendered as one report only when they are the per-rank logs of one run " +
                    "(each with a distinct rank, the same run name and world size); compare other runs with HtmlReport.Compare.", nameof(logPaths));
            }

            return RunFold.FromRankLogs(cursors, options, progress);
        }
        finally
        {
            foreach (RunLogCursor cursor in cursors)
            {
                cursor.Dispose();
            }
        }
    }

    /// <summary>Builds the page's view from the folded run, then renders it.</summary>
    internal static void Render(RunView run, TextWriter writer, ReportOptions options) => Render(ReportView.Build(run, options), writer);

    /// <summary>Renders the page's view as the HTML document; reads nothing else and computes nothing.</summary>
    private static void Render(ReportView page, TextWriter writer)
    {
        RunView run = page.Run;
        RunSections.Begin(writer, page.Title);
        writer.WriteLine("<header>");
        writer.WriteLine($"<h1>{HtmlText.Encode(page.Title)}</h1>");
        writer.WriteLine($"<p class=\"summary\">{Summary(page)}</p>");
        writer.WriteLine("</header>");
        RunSections.Banners(writer, run, "");
        RunSections.Verdict(writer, page.Verdict, run, "verdict", "");

        IReadOnlyList<long> incidentRules = run.Incidents.Steps;
        (long xMin, long xMax) = run.Range;

        writer.WriteLine("<section id=\"loss\">");
        writer.WriteLine(run.Metrics.Count > 0 ? "<h2>Loss and metrics over steps</h2>" : "<h2>Loss over steps</h2>");
        writer.WriteLine("<div class=\"toolbar\"><button type=\"button\" id=\"zoom-reset\">Reset zoom</button><span id=\"zoom-range\">all steps</span>" +
            "<span>Drag across a chart to zoom on steps (every chart and the heatmap follow); double-click to reset. Hover for values. Red dashes: incidents.</span></div>");
        writer.WriteLine("<div class=\"chart-box\" id=\"loss-chart-box\">");
        LineChartSvg.Write(writer, "loss-chart", "Training loss over steps", "loss", [page.Loss, .. page.Overlays], incidentRules, range: (xMin, xMax));
        writer.WriteLine("</div>");
        if (page.Overlays.Count > 0)
        {
            writer.Write("<p class=\"legend\" id=\"loss-legend\"><span><span class=\"swatch loss\"></span>training loss (each step)</span>");
            foreach (ChartSeries overlay in page.Overlays)
            {
                string css = overlay.CssClass.Split(' ')[^1];
                writer.Write(Invariant($"<span><span class=\"swatch {css}\"></span>{HtmlText.Encode(overlay.Name)}: {overlay.PointCount} evaluation(s), the dots</span>"));
            }

            writer.WriteLine("</p>");
        }

        if (run.Steps.NonFiniteLossCount > 0)
        {
            writer.WriteLine(Invariant($"<p class=\"note\" id=\"nonfinite-loss-note\">{run.Steps.NonFiniteLossCount} step(s) had a non-finite loss (NaN or infinity): red markers at the top; the line is broken there.</p>"));
        }

        MetricCharts.Write(writer, page.SmallCharts, incidentRules, (xMin, xMax));
        writer.WriteLine("</section>");

        GradientHeatmap heatmap = run.Parameters.Heatmap;
        writer.WriteLine("<section id=\"gradient-norms\">");
        writer.WriteLine("<h2>Gradient norms per parameter</h2>");
        if (heatmap.Layers.Count > 0)
        {
            writer.WriteLine("<p class=\"note\">One row per parameter, one column per step (or per run of consecutive steps in long runs, showing the largest value). " +
                "Colour: log scale. Red: NaN or infinity; black: exactly zero; grey: not measured.</p>");
            writer.WriteLine("<div class=\"toolbar\" id=\"heatmap-toolbar\"><label>Show <select id=\"heat-metric\"><option value=\"gradient\">gradient norm</option>" +
                (heatmap.Update is null ? "" : "<option value=\"update\">update / weight ratio</option>") +
                "</select></label><label>Filter <input id=\"layer-filter\" type=\"search\" placeholder=\"parameter name\" autocomplete=\"off\"></label><span id=\"layer-count\"></span></div>");
            writer.WriteLine(Invariant($"<canvas id=\"heatmap-canvas\" width=\"{ChartConstants.HeatmapWidth}\" height=\"{ChartConstants.HeatmapHeight(heatmap.Layers.Count)}\" role=\"img\" aria-label=\"gradient norm per parameter and step, log colour scale\"></canvas>"));
            writer.WriteLine(Invariant($"<div class=\"legend\"><span id=\"legend-lo\"></span><canvas id=\"heatmap-legend\" width=\"{ChartConstants.LegendWidth}\" height=\"1\"></canvas><span id=\"legend-hi\"></span><span>(log scale)</span></div>"));
            writer.WriteLine("<noscript><p class=\"note\">The heatmap needs JavaScript; the table below has the same numbers.</p></noscript>");
        }

        RunSections.GradientTable(writer, run.Parameters.Rows);
        writer.WriteLine("</section>");

        CurvatureSection.Write(writer, run, page.Curvature); // only when the run has curvature records
        RunSections.Incidents(writer, run, page.Incidents, "", "Incidents");
        DataSection.Write(writer, run); // ML.NET pipeline records: only when present
        PipelineSection.Write(writer, run, page.Pipeline);
        RunSections.Metadata(writer, run, "metadata");
        RunSections.End(writer, ReportDataJson.Build(page));
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
        var compared = new List<ComparedRun>(runs.Count);
        foreach (DiagnosticsRun run in runs)
        {
            var fold = new CompareFold();
            compared.Add(fold.Finish(RunFold.FromRun(run, options, fold), compared.Count, options.MaxChartPoints));
        }

        CompareWriter.Write(CompareView.Build(compared, options), writer);
    }

    /// <summary>
    /// Writes one report comparing the runs whose logs are at <paramref name="logPaths"/> to the file at
    /// <paramref name="outputPath"/>, streaming: one pass over each log in turn, memory bounded whatever the runs' lengths
    /// (what a run's report keeps, plus its gradient-norm and learning-rate columns). The page is the one
    /// <see cref="Compare(IReadOnlyList{DiagnosticsRun}, TextWriter, ReportOptions?)"/> writes for the same runs.
    /// </summary>
    /// <param name="logPaths">One run log per run, in the order they are listed and coloured; at least one.</param>
    /// <param name="outputPath">The HTML file to create or overwrite; its folder is created if needed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the share of all the logs' bytes read so far (0 to 1), now and then; may be null.</param>
    /// <returns>What the comparison says of each run, in the order of <paramref name="logPaths"/>.</returns>
    /// <exception cref="InvalidDataException">A log is not a run log, or is damaged before its last line.</exception>
    public static IReadOnlyList<ReportSummary> CompareLogs(IReadOnlyList<string> logPaths, string outputPath, ReportOptions? options = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        options ??= new ReportOptions();
        options.Validate();
        CompareView page = FoldForCompare(logPaths, options, progress);
        using StreamWriter writer = Create(outputPath);
        CompareWriter.Write(page, writer);
        return page.Runs.Select(r => Summarize(r.Run, r.Verdict)).ToList();
    }

    /// <summary>
    /// Writes one HTML document comparing the runs whose logs are at <paramref name="logPaths"/> to <paramref name="writer"/>,
    /// streaming, as <see cref="CompareLogs(IReadOnlyList{string}, string, ReportOptions?, IProgress{double}?)"/> does.
    /// </summary>
    /// <param name="logPaths">One run log per run, in the order they are listed and coloured; at least one.</param>
    /// <param name="writer">Where the HTML goes; flushed, not closed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the share of all the logs' bytes read so far (0 to 1); may be null.</param>
    /// <returns>What the comparison says of each run, in the order of <paramref name="logPaths"/>.</returns>
    public static IReadOnlyList<ReportSummary> CompareLogs(IReadOnlyList<string> logPaths, TextWriter writer, ReportOptions? options = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new ReportOptions();
        options.Validate();
        CompareView page = FoldForCompare(logPaths, options, progress);
        CompareWriter.Write(page, writer);
        return page.Runs.Select(r => Summarize(r.Run, r.Verdict)).ToList();
    }

    /// <summary>One fold per log, in turn (one log open at a time), then the comparison's view over them.</summary>
    private static CompareView FoldForCompare(IReadOnlyList<string> logPaths, ReportOptions options, IProgress<double>? progress)
    {
        if (logPaths.Count == 0 || logPaths.Any(p => p is null))
        {
            throw new ArgumentException("Compare needs at least one run log, and no path may be null.", nameof(logPaths));
        }

        long total = logPaths.Sum(p => new FileInfo(p).Length), before = 0;
        var compared = new List<ComparedRun>(logPaths.Count);
        foreach (string path in logPaths)
        {
            using RunLogCursor cursor = RunLogReader.Open(path);
            long length = cursor.Length ?? 0, done = before;
            IProgress<double>? share = progress is null || total <= 0 ? null : new ShareProgress(progress, done, length, total);
            var fold = new CompareFold();
            compared.Add(fold.Finish(RunFold.FromLog(cursor, options, share, fold), compared.Count, options.MaxChartPoints));
            before += length;
        }

        progress?.Report(1);
        return CompareView.Build(compared, options);
    }

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

    private static string Summary(ReportView page)
    {
        StepsView steps = page.Run.Steps;
        if (steps.LastStep is not long lastStep)
        {
            return "No steps recorded.";
        }

        string metrics = string.Concat(page.HeadlineMetrics.Select(m => Invariant($"; {HtmlText.Encode(m.Name)} {HtmlText.Number(m.Last)}")));
        return Invariant($"{steps.Count} steps recorded; final loss {HtmlText.Number(steps.LastLoss)} at step {lastStep}{metrics}.");
    }

    /// <summary>One log's share of its bytes read, reported as the share of all the logs' bytes (those before it counted as read).</summary>
    private sealed class ShareProgress(IProgress<double> all, long before, long length, long total) : IProgress<double>
    {
        public void Report(double value) => all.Report((before + (value * length)) / total);
    }
}
