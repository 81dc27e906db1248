using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The data the report's script draws from (loss series, heatmap matrix, incident steps), as compact JSON ready
/// for a <c>&lt;script type="application/json"&gt;</c> element (see <see cref="ScriptJson"/>).
/// </summary>
internal static class ReportDataJson
{
    public static string Build(long xMin, long xMax, ChartSeries loss, bool logScale, GradientHeatmap heatmap,
        IReadOnlyList<(long Step, string Kind, string Severity, string Id)> incidents)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("range");
            json.WriteNumberValue(xMin);
            json.WriteNumberValue(xMax);
            json.WriteEndArray();

            json.WriteStartObject("loss");
            json.WriteString("scale", logScale ? "log" : "linear");
            json.WriteStartArray("seg");
            foreach (ChartSegment segment in loss.Segments)
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
            foreach ((long step, double value) in loss.NonFinite)
            {
                json.WriteStartArray();
                json.WriteNumberValue(step);
                json.WriteStringValue(HtmlText.Number(value));
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();

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
            foreach (var incident in incidents)
            {
                json.WriteStartArray();
                json.WriteNumberValue(incident.Step);
                json.WriteStringValue(incident.Kind);
                json.WriteStringValue(incident.Severity);
                json.WriteStringValue(incident.Id);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return ScriptJson.Escape(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
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
