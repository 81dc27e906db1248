using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Checks;

/// <summary>
/// Writes the result of <c>tdiag check --format json</c>: one JSON document (UTF-8, indented) with the threshold, the exit
/// code and, per log, the verdict and every finding with its remedy. Property names are fixed (camelCase) and every
/// property is always present (<c>null</c> where there is no value), so that a program can rely on the shape; the
/// schema is documented in <c>docs/ci-gate.md</c> and versioned by <see cref="SchemaVersion"/>.
/// </summary>
internal static class CheckJsonWriter
{
    /// <summary>The version of the document's shape; a change that removes or renames a property raises it.</summary>
    public const int SchemaVersion = 1;

    public static void Write(TextWriter output, IReadOnlyList<RunCheck> checks, CheckThreshold threshold, int exitCode)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Standard output, not HTML: quotes, apostrophes and + stay readable (JSON's own escapes are still applied).
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteString("failOn", RunCheck.Word(threshold));
            json.WriteNumber("exitCode", exitCode);
            json.WriteBoolean("passed", checks.All(c => !c.AtThreshold));
            json.WriteStartArray("runs");
            foreach (RunCheck check in checks)
            {
                WriteRun(json, check);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static void WriteRun(Utf8JsonWriter json, RunCheck check)
    {
        json.WriteStartObject();
        json.WriteString("log", check.Path);
        json.WriteString("runName", check.Summary.Metadata.RunName);
        json.WriteString("verdict", RunCheck.Word(check.Summary.Verdict.Level));
        json.WriteBoolean("atThreshold", check.AtThreshold);
        json.WriteBoolean("complete", check.Summary.IsComplete);
        json.WriteNumber("steps", check.Summary.StepCount);
        json.WriteNumber("incidents", check.Summary.IncidentCount);
        json.WriteStartArray("findings");
        foreach (Finding finding in check.Summary.Verdict.Findings)
        {
            WriteFinding(json, finding);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, Finding finding)
    {
        json.WriteStartObject();
        json.WriteString("rule", finding.Rule);
        json.WriteString("severity", RunCheck.Word(finding.Severity));
        json.WriteString("module", finding.ModulePath);
        WriteNumber(json, "step", finding.Step);
        json.WriteString("title", finding.Title);
        json.WriteString("detail", finding.Detail);
        if (finding.Remedy is { } remedy)
        {
            json.WriteStartObject("remedy");
            json.WriteString("action", remedy.Action);
            json.WriteString("target", remedy.Target);
            // JSON has no NaN or infinity: a factor that is not a finite number is written as null.
            WriteNumber(json, "factor", remedy.Factor is double f && double.IsFinite(f) ? f : null);
            json.WriteString("text", remedy.Text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("remedy");
        }

        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
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

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
