using System.Globalization;
using System.Text;
using TrainingDiagnostics.Model;
using static System.FormattableString;

namespace TrainingDiagnostics.Report;

/// <summary>
/// Renders a <see cref="DiagnosticsRun"/> as one self-contained HTML file: inline CSS and SVG, no script,
/// no network request, no external font. Every string that came from the run is HTML-encoded and every
/// number is formatted with the invariant culture, so the file is the same under any culture.
/// </summary>
public static class HtmlReport
{
    private const string Styles = """
        :root { color-scheme: light; --fg: #1d2430; --muted: #5b6675; --line: #d8dde5; --accent: #2563eb; --bad: #c62828; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
        h1 { font-size: 1.5rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        .summary, .note, .empty { color: var(--muted); }
        .banner { border: 1px solid var(--bad); background: #fdecea; color: var(--bad); padding: .75rem 1rem; border-radius: 6px; margin: 1rem 0; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.meta dt { color: var(--muted); }
        dl.meta dd { margin: 0; overflow-wrap: anywhere; }
        svg.chart { width: 100%; height: auto; font-size: 11px; }
        svg .plot { fill: #fafbfc; stroke: var(--line); }
        svg .grid { stroke: var(--line); stroke-width: .5; }
        svg .tick, svg .axis { fill: var(--muted); }
        svg .loss { fill: none; stroke: var(--accent); stroke-width: 1.5; }
        svg .loss-point { fill: var(--accent); }
        svg .nonfinite { fill: var(--bad); }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: right; }
        th:first-child, td:first-child { text-align: left; overflow-wrap: anywhere; }
        td.bad { color: var(--bad); font-weight: 600; }
        footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
        """;

    /// <summary>Writes the report to the file at <paramref name="path"/> (UTF-8), creating its folder if needed.</summary>
    /// <param name="run">The run to render.</param>
    /// <param name="path">The HTML file to create or overwrite.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Write(DiagnosticsRun run, string path, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(run, writer, options);
    }

    /// <summary>Writes the report as one HTML document to <paramref name="writer"/>.</summary>
    /// <param name="run">The run to render.</param>
    /// <param name="writer">Where the HTML goes; not closed.</param>
    /// <param name="options">Rendering options; <see langword="null"/> for the defaults.</param>
    public static void Write(DiagnosticsRun run, TextWriter writer, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new ReportOptions();
        if (options.MaxChartPoints < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxChartPoints,
                "ReportOptions.MaxChartPoints must be at least 2 (a line needs two points).");
        }

        RunMetadata meta = run.Metadata;
        string title = options.Title ?? $"Training report: {meta.RunName}";

        writer.WriteLine("<!DOCTYPE html>");
        writer.WriteLine("<html lang=\"en\">");
        writer.WriteLine("<head>");
        writer.WriteLine("<meta charset=\"utf-8\">");
        writer.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        // Defence in depth: even if some text escaped encoding, nothing could load or run.
        writer.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        writer.WriteLine($"<title>{HtmlText.Encode(title)}</title>");
        writer.WriteLine("<style>");
        writer.WriteLine(Styles);
        writer.WriteLine("</style>");
        writer.WriteLine("</head>");
        writer.WriteLine("<body>");

        writer.WriteLine("<header>");
        writer.WriteLine($"<h1>{HtmlText.Encode(title)}</h1>");
        writer.WriteLine($"<p class=\"summary\">{Summary(run)}</p>");
        writer.WriteLine("</header>");

        if (!run.IsComplete)
        {
            writer.WriteLine("<div class=\"banner\" id=\"incomplete-banner\" role=\"alert\"><strong>Incomplete run log.</strong> " +
                "Its last line was cut mid-way: the training crashed or was still running when the log was read. " +
                "Every step before that line is shown.</div>");
        }

        if (run.SkippedRecordCount > 0)
        {
            writer.WriteLine(Invariant($"<p class=\"note\" id=\"skipped-note\">{run.SkippedRecordCount} record(s) of kinds this version does not know were skipped; a newer TrainingDiagnostics can show them.</p>"));
        }

        WriteMetadata(writer, run);

        writer.WriteLine("<section id=\"loss\">");
        writer.WriteLine("<h2>Loss</h2>");
        LossChartSvg.Write(writer, run.Steps, options.MaxChartPoints);
        int nonFinite = run.Steps.Count(s => !double.IsFinite(s.Loss));
        if (nonFinite > 0)
        {
            writer.WriteLine(Invariant($"<p class=\"note\" id=\"nonfinite-loss-note\">{nonFinite} step(s) had a non-finite loss (NaN or infinity): red markers at the top; the line is broken there.</p>"));
        }

        writer.WriteLine("</section>");

        WriteGradientTable(writer, LayerGradientSummary.FromRun(run));

        string version = typeof(HtmlReport).Assembly.GetName().Version?.ToString() ?? "";
        writer.WriteLine($"<footer>Generated by TrainingDiagnostics {HtmlText.Encode(version)}. This file is self-contained and works offline.</footer>");
        writer.WriteLine("</body>");
        writer.WriteLine("</html>");
        writer.Flush();
    }

    private static string Summary(DiagnosticsRun run)
    {
        if (run.Steps.Count == 0)
        {
            return "No steps recorded.";
        }

        StepRecord last = run.Steps[^1];
        return Invariant($"{run.Steps.Count} steps recorded; final loss {HtmlText.Number(last.Loss)} at step {last.Step}.");
    }

    private static void WriteMetadata(TextWriter w, DiagnosticsRun run)
    {
        RunMetadata m = run.Metadata;
        w.WriteLine("<section id=\"metadata\">");
        w.WriteLine("<h2>Run</h2>");
        w.WriteLine("<dl class=\"meta\">");
        Row(w, "Run name", m.RunName);
        Row(w, "Model", m.ModelDescription);
        Row(w, "Parameters", m.ParameterCount is long p ? HtmlText.Integer(p) : null);
        Row(w, "Device", m.Device);
        Row(w, "Seed", m.Seed is long s ? HtmlText.Integer(s) : null);
        Row(w, "Started at", m.StartedAt?.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Row(w, "TorchSharp", m.TorchSharpVersion);
        Row(w, "TrainingDiagnostics", m.LibraryVersion);
        foreach (KeyValuePair<string, string> tag in m.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Row(w, tag.Key, tag.Value);
        }

        Row(w, "Steps", HtmlText.Integer(run.Steps.Count));
        w.WriteLine("</dl>");
        w.WriteLine("</section>");
    }

    private static void Row(TextWriter w, string label, string? value)
    {
        if (value is not null)
        {
            w.WriteLine($"<dt>{HtmlText.Encode(label)}</dt><dd>{HtmlText.Encode(value)}</dd>");
        }
    }

    private static void WriteGradientTable(TextWriter w, IReadOnlyList<LayerGradientSummary> rows)
    {
        w.WriteLine("<section id=\"gradient-norms\">");
        w.WriteLine("<h2>Gradient norms per parameter</h2>");
        if (rows.Count == 0)
        {
            w.WriteLine("<p class=\"empty\">No per-parameter statistics were recorded.</p>");
            w.WriteLine("</section>");
            return;
        }

        w.WriteLine("<p class=\"note\">L2 norm of each parameter's gradient over the recorded steps; min, max and median over finite values.</p>");
        w.WriteLine("<table>");
        w.WriteLine("<thead><tr><th scope=\"col\">Parameter</th><th scope=\"col\">Steps</th><th scope=\"col\">First</th><th scope=\"col\">Last</th>" +
            "<th scope=\"col\">Min</th><th scope=\"col\">Max</th><th scope=\"col\">Median</th><th scope=\"col\">Non-finite</th><th scope=\"col\">Last weight norm</th></tr></thead>");
        w.WriteLine("<tbody>");
        foreach (LayerGradientSummary row in rows)
        {
            w.Write($"<tr><th scope=\"row\">{HtmlText.Encode(row.Name)}</th><td>{HtmlText.Integer(row.Recorded)}</td>");
            w.Write($"{Cell(row.First)}{Cell(row.Last)}{Cell(row.Min)}{Cell(row.Max)}{Cell(row.Median)}");
            w.Write(row.NonFinite > 0 ? $"<td class=\"bad\">{HtmlText.Integer(row.NonFinite)}</td>" : "<td>0</td>");
            w.WriteLine($"{Cell(row.LastWeightNorm)}</tr>");
        }

        w.WriteLine("</tbody>");
        w.WriteLine("</table>");
        w.WriteLine("</section>");
    }

    private static string Cell(double? value) =>
        value is double v && !double.IsFinite(v)
            ? $"<td class=\"bad\">{HtmlText.Number(v)}</td>"
            : $"<td>{HtmlText.Number(value)}</td>";
}
