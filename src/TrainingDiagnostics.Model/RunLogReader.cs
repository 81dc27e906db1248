using System.Text;
using System.Text.Json;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Reads a JSON Lines run log (see <see cref="RunLogSchema"/>) back into a <see cref="DiagnosticsRun"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A last line cut mid-way (a crashed or still-running training) is dropped and the run is marked
/// incomplete (<see cref="DiagnosticsRun.IsComplete"/> is <see langword="false"/>).</item>
/// <item>A damaged line anywhere else is an <see cref="InvalidDataException"/> naming the line.</item>
/// <item>Lines of a kind this reader does not know are skipped and counted
/// (<see cref="DiagnosticsRun.SkippedRecordCount"/>).</item>
/// </list>
/// </remarks>
public static class RunLogReader
{
    /// <summary>Reads the run log at <paramref name="path"/>; it may still be open for writing.</summary>
    /// <param name="path">The run log file.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidDataException">The file is not a run log, or a line before the last is damaged.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DiagnosticsRun Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Read(reader, path);
    }

    /// <summary>Reads a run log from <paramref name="reader"/> to its end.</summary>
    /// <param name="reader">The text of the run log.</param>
    /// <param name="sourceName">A name for the source used in error messages (for example a file path).</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidDataException">The text is not a run log, or a line before the last is damaged.</exception>
    public static DiagnosticsRun Read(TextReader reader, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string source = sourceName is null ? "run log" : $"run log '{sourceName}'";

        RunMetadata? metadata = null;
        var steps = new List<StepRecord>();
        var anomalies = new List<AnomalyEvent>();
        var metrics = new List<MetricRecord>();
        var dataProfiles = new List<DataProfileRecord>();
        var observedFits = new List<ObservedFitRecord>();
        bool complete = true;
        int skipped = 0;

        // One line of look-ahead: a damaged line is forgiven only when it is the last non-blank one.
        var lines = new NonBlankLines(reader);
        while (lines.MoveNext(out string line, out int lineNumber, out bool isLast))
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException) when (isLast && metadata is not null)
            {
                complete = false;
                break;
            }
            catch (JsonException ex)
            {
                throw Damaged(source, lineNumber, metadata is null && isLast
                    ? "the header line is cut or not JSON, so there is no run to read"
                    : $"the line is not valid JSON ({ex.Message})", ex);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty(RunLogSchema.KindProperty, out JsonElement kindElement)
                    || kindElement.ValueKind != JsonValueKind.String)
                {
                    throw Damaged(source, lineNumber,
                        $"expected a JSON object with a string \"{RunLogSchema.KindProperty}\" property", null);
                }

                string kind = kindElement.GetString()!;
                if (metadata is null)
                {
                    if (kind != RunLogSchema.HeaderKind)
                    {
                        throw Damaged(source, lineNumber,
                            $"expected the header line (\"kind\":\"{RunLogSchema.HeaderKind}\") first, found \"{kind}\"; is this a run log?", null);
                    }

                    metadata = ReadHeader(root, source, lineNumber);
                    continue;
                }

                switch (kind)
                {
                    case RunLogSchema.StepKind:
                        steps.Add(ReadStep(root, source, lineNumber));
                        break;
                    case RunLogSchema.AnomalyEventKind:
                        anomalies.Add(ReadAnomaly(root, source, lineNumber));
                        break;
                    case RunLogSchema.MetricKind:
                        var metric = Deserialize(root, RunLogJsonContext.Default.MetricRecord, source, lineNumber);
                        metrics.Add(metric.Name is null ? throw Damaged(source, lineNumber, "a metric has no name", null) : metric);
                        break;
                    case RunLogSchema.DataProfileKind:
                        var profile = Deserialize(root, RunLogJsonContext.Default.DataProfileRecord, source, lineNumber);
                        dataProfiles.Add(profile with { Columns = profile.Columns ?? [], Findings = profile.Findings ?? [] });
                        break;
                    case RunLogSchema.ObservedFitKind:
                        var fit = Deserialize(root, RunLogJsonContext.Default.ObservedFitRecord, source, lineNumber);
                        observedFits.Add(fit with { LogLines = fit.LogLines ?? [] });
                        break;
                    case RunLogSchema.HeaderKind:
                        throw Damaged(source, lineNumber, "a second header line; were two run logs concatenated?", null);
                    default:
                        skipped++; // written by a newer version: forward compatible by design
                        break;
                }
            }
        }

        if (metadata is null)
        {
            throw new InvalidDataException($"The {source} is empty: expected a header line first.");
        }

        return new DiagnosticsRun
        {
            Metadata = metadata,
            Steps = steps,
            Anomalies = anomalies,
            Metrics = metrics,
            DataProfiles = dataProfiles,
            ObservedFits = observedFits,
            IsComplete = complete,
            SkippedRecordCount = skipped,
        };
    }

    private static RunMetadata ReadHeader(JsonElement root, string source, int lineNumber)
    {
        if (!root.TryGetProperty(RunLogSchema.SchemaVersionProperty, out JsonElement version)
            || !version.TryGetInt32(out int schemaVersion))
        {
            throw Damaged(source, lineNumber, $"the header has no integer \"{RunLogSchema.SchemaVersionProperty}\"", null);
        }

        if (schemaVersion > RunLogSchema.CurrentVersion)
        {
            throw Damaged(source, lineNumber,
                $"schema version {schemaVersion} is newer than this reader's {RunLogSchema.CurrentVersion}; update TrainingDiagnostics to read it", null);
        }

        RunMetadata metadata = Deserialize(root, RunLogJsonContext.Default.RunMetadata, source, lineNumber);
        // An explicit "tags":null is tolerated as no tags, keeping the never-null promise.
        return metadata.Tags is null ? metadata with { Tags = new Dictionary<string, string>() } : metadata;
    }

    private static StepRecord ReadStep(JsonElement root, string source, int lineNumber)
    {
        StepRecord step = Deserialize(root, RunLogJsonContext.Default.StepRecord, source, lineNumber);
        if (step.Layers is null)
        {
            return step with { Layers = [] };
        }

        if (step.Layers.Any(l => l is null || l.Name is null))
        {
            throw Damaged(source, lineNumber, "a layer entry is null or has no name", null);
        }

        return step;
    }

    private static AnomalyEvent ReadAnomaly(JsonElement root, string source, int lineNumber)
    {
        AnomalyEvent anomaly = Deserialize(root, RunLogJsonContext.Default.AnomalyEvent, source, lineNumber);
        return anomaly.Inputs is null ? anomaly with { Inputs = [] } : anomaly;
    }

    private static T Deserialize<T>(JsonElement root, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string source, int lineNumber)
    {
        try
        {
            return root.Deserialize(typeInfo)
                ?? throw Damaged(source, lineNumber, "the record is null", null);
        }
        catch (JsonException ex)
        {
            throw Damaged(source, lineNumber, $"the {typeof(T).Name} fields do not match the schema ({ex.Message})", ex);
        }
    }

    private static InvalidDataException Damaged(string source, int lineNumber, string what, Exception? inner) =>
        new($"The {source} is damaged at line {lineNumber}: {what}.", inner);

    /// <summary>Yields non-blank lines with their 1-based numbers, knowing whether each is the last.</summary>
    private sealed class NonBlankLines(TextReader reader)
    {
        private string? _next;
        private int _nextNumber;
        private int _lineNumber;
        private bool _started;

        public bool MoveNext(out string line, out int lineNumber, out bool isLast)
        {
            if (!_started)
            {
                _started = true;
                Advance();
            }

            if (_next is null)
            {
                line = "";
                lineNumber = 0;
                isLast = true;
                return false;
            }

            line = _next;
            lineNumber = _nextNumber;
            Advance();
            isLast = _next is null;
            return true;
        }

        private void Advance()
        {
            string? candidate;
            while ((candidate = reader.ReadLine()) is not null)
            {
                _lineNumber++;
                if (!string.IsNullOrWhiteSpace(candidate))
                {
                    _next = candidate;
                    _nextNumber = _lineNumber;
                    return;
                }
            }

            _next = null;
        }
    }
}
