using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The data the report's script draws from (loss series and the metrics drawn over it, the small charts of metrics and
/// the learning rate, heatmap matrix, incident steps), and the findings with their remedies for programs that read the
/// report (<c>"findings"</c>: rule, severity, title, detail, step, module, remedy), as compact JSON ready
/// for a <c>&lt;script type="application/json"&gt;</c> element (see <see cref="ScriptJson"/>).
/// </summary>
internal static class ReportDataJson
{
    /// <summary>The data of <paramref name="page"/>, escaped for its script element.</summary>
    public static string Build(ReportView page)
    {
        (long xMin, long xMax) = page.Run.Range;
        GradientHeatmap heatmap = page.Run.Parameters.Heatmap;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            ChartConstants.Write(json);
            json.WriteStartArray("range");
            json.WriteNumberValue(xMin);
            json.WriteNumberValue(xMax);
            json.WriteEndArray();

            json.WriteStartObject("loss");
            json.WriteString("scale", page.LossLogScale ? "log" : "linear");
            WriteSeries(json, page.Loss);
            json.WriteEndObject();

            json.WriteStartArray("overlay");
            foreach (ChartSeries series in page.Overlays)
            {
                WriteNamedSeries(json, series);
            }

            json.WriteEndArray();
            json.WriteStartArray("charts");
            foreach (LineChartData chart in page.SmallCharts.Select(c => c.Chart).OfType<LineChartData>())
            {
                json.WriteStartObject();
                json.WriteString("id", chart.Id);
                json.WriteString("title", chart.Title);
                json.WriteString("y", chart.YLabel);
                json.WriteNumber("h", ChartConstants.HeightOf(chart));
                json.WriteString("scale", chart.LogScale ? "log" : "linear");
                json.WriteStartArray("series");
                foreach (ChartSeries series in chart.Series)
                {
                    WriteNamedSeries(json, series);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartObject("heat");
            json.WriteStartArray("layers");
            foreach (string layer in heatmap.Layers)
            {
                json.WriteStringValue(layer);
            }

            json.WriteEndArray();
            WriteSteps(json, "start", heatmap.ColumnStart);
            WriteSteps(json, "end", heatmap.ColumnEnd);
            WriteMatrix(json, "g", heatmap.Gradient);
            if (heatmap.Update is null)
            {
                json.WriteNull("u");
            }
            else
            {
                WriteMatrix(json, "u", heatmap.Update);
            }

            json.WriteEndObject();

            json.WriteStartArray("incidents");
            foreach (IncidentMark incident in page.Incidents)
            {
                json.WriteStartArray();
                json.WriteNumberValue(incident.Step);
                json.WriteStringValue(incident.Kind);
                json.WriteStringValue(incident.Severity);
                json.WriteStringValue(incident.Id);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            WriteFindings(json, page.Verdict.Findings);
            json.WriteEndObject();
        }

        return ScriptJson.Escape(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>The verdict's findings, most important first, each with its remedy (null where none follows from the evidence).</summary>
    private static void WriteFindings(Utf8JsonWriter json, IReadOnlyList<Finding> findings)
    {
        json.WriteStartArray("findings");
        foreach (Finding finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("rule", finding.Rule);
            json.WriteString("severity", RunSections.SeverityName(finding.Severity));
            json.WriteString("title", finding.Title);
            json.WriteString("detail", finding.Detail);
            WriteNullable(json, "step", finding.Step);
            json.WriteString("module", finding.ModulePath);
            if (finding.Remedy is { } remedy)
            {
                json.WriteStartObject("remedy");
                json.WriteString("action", remedy.Action);
                json.WriteString("target", remedy.Target);
                if (remedy.Factor is double factor && double.IsFinite(factor))
                {
                    json.WriteNumber("factor", factor);
                }
                else
                {
                    json.WriteNull("factor");
                }

                json.WriteString("text", remedy.Text);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("remedy");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNamedSeries(Utf8JsonWriter json, ChartSeries series)
    {
        json.WriteStartObject();
        json.WriteString("name", series.Name);
        json.WriteString("cls", series.CssClass);
        json.WriteBoolean("dots", series.Dots);
        WriteSeries(json, series);
        json.WriteEndObject();
    }

    /// <summary>The series' segments as <c>"seg": [[steps], [values]]...</c> (6 significant digits) and its non-finite points as <c>"nf"</c>.</summary>
    private static void WriteSeries(Utf8JsonWriter json, ChartSeries series)
    {
        json.WriteStartArray("seg");
        foreach (ChartSegment segment in series.Segments)
        {
            json.WriteStartArray();
            json.WriteStartArray();
            foreach (long step in segment.Steps)
            {
                json.WriteNumberValue(step);
            }

            json.WriteEndArray();
            json.WriteStartArray();
            foreach (double value in segment.Values)
            {
                json.WriteRawValue(value.ToString("G6", CultureInfo.InvariantCulture));
            }

            json.WriteEndArray();
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("nf");
        foreach ((long step, double value) in series.NonFinite)
        {
            json.WriteStartArray();
            json.WriteNumberValue(step);
            json.WriteStringValue(HtmlText.Number(value));
            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void WriteSteps(Utf8JsonWriter json, string name, long[] steps)
    {
        json.WriteStartArray(name);
        foreach (long step in steps)
        {
            json.WriteNumberValue(step);
        }

        json.WriteEndArray();
    }

    private static void WriteMatrix(Utf8JsonWriter json, string name, int[][] rows)
    {
        json.WriteStartArray(name);
        foreach (int[] row in rows)
        {
            json.WriteStartArray();
            foreach (int code in row)
            {
                if (code == GradientHeatmap.Missing)
                {
                    json.WriteNullValue();
                }
                else
                {
                    json.WriteNumberValue(code);
                }
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }
}
