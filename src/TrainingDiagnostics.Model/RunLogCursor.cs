using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Reads a run log one record at a time, in one pass, holding only the current line: the way to fold a log of any
/// length in bounded memory. <see cref="Metadata"/> is read on opening; each <see cref="MoveNext"/> makes the next
/// record <see cref="Current"/>: a record of one of the kinds in <see cref="RunLogKinds.All"/> (a <see cref="StepRecord"/>,
/// an <see cref="AnomalyEvent"/>, a <see cref="MetricRecord"/>...; later versions may add record types: skip what you do
/// not know). Steps read from a
/// version-2 log have <see cref="ParameterColumns"/> as their layers.
/// </summary>
/// <remarks>
/// <para>Same rules as <see cref="RunLogReader.Read(string)"/>: a last line cut mid-way ends the records and sets
/// <see cref="IsComplete"/> to <see langword="false"/>; a damaged line elsewhere throws an
/// <see cref="InvalidDataException"/> naming its line; lines of an unknown kind are skipped and counted. Whatever the
/// bytes, that is the only exception a damaged log raises: a line is damaged when it is not JSON, or when its record
/// does not fit its kind (a value of the wrong type, a number out of its type's range, a null where the record type
/// declares a value, an enum value that names no member).</para>
/// <para>Each record kind is read as its entry in <see cref="RunLogKinds"/> says: a new kind is one entry there and one record type.</para>
/// </remarks>
public sealed class RunLogCursor : IDisposable
{
    private readonly LineSource _lines;
    private readonly string _source;
    private InvalidDataException? _pending;
    private bool _ended;

    internal RunLogCursor(LineSource lines, string? sourceName)
    {
        _lines = lines;
        _source = sourceName is null ? "run log" : $"run log '{sourceName}'";
        try
        {
            (Metadata, SchemaVersion) = ReadHeader();
        }
        catch
        {
            lines.Dispose();
            throw;
        }
    }

    /// <summary>The run's metadata (the header line).</summary>
    public RunMetadata Metadata { get; }

    /// <summary>The schema version the log declares (1 or 2).</summary>
    public int SchemaVersion { get; }

    /// <summary>The current record (after <see cref="MoveNext"/> returned <see langword="true"/>).</summary>
    public object Current { get; private set; } = null!;

    /// <summary><see langword="false"/> once the end was reached and the last line was cut mid-way.</summary>
    public bool IsComplete { get; private set; } = true;

    /// <summary>How many lines of kinds this reader does not know were skipped so far.</summary>
    public int SkippedRecordCount { get; private set; }

    /// <summary>The parameter names announced by the last <c>parameters</c> line (the layout of the step lines after it).</summary>
    internal string[] ParameterNames { get; private set; } = [];

    /// <summary>The names of the last version-1 step read fast, shared by the steps after it that list the same names.</summary>
    internal LayerNameCache LayerNames { get; } = new();

    /// <summary>Bytes of the log consumed so far (for progress).</summary>
    public long BytesRead => _lines.BytesRead;

    /// <summary>The log's length in bytes when known (a file), else <see langword="null"/>.</summary>
    public long? Length => _lines.Length;

    /// <summary>Advances to the next record.</summary>
    /// <returns><see langword="false"/> at the end of the log.</returns>
    /// <exception cref="InvalidDataException">A line before the last is damaged.</exception>
    public bool MoveNext()
    {
        if (_ended)
        {
            return false;
        }

        while (_lines.TryNext(out ReadOnlySpan<byte> line, out int lineNumber))
        {
            if (_pending is not null)
            {
                throw _pending; // a damaged line that was not the last
            }

            if (ReadRecord(line, lineNumber) is { } record)
            {
                Current = record;
                return true;
            }
        }

        _ended = true;
        IsComplete = _pending is null;
        return false;
    }

    /// <summary>Closes the log.</summary>
    public void Dispose() => _lines.Dispose();

    private (RunMetadata, int) ReadHeader()
    {
        if (!_lines.TryNext(out ReadOnlySpan<byte> line, out int lineNumber))
        {
            throw new InvalidDataException($"The {_source} is empty: expected a header line first.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException ex)
        {
            bool last = !_lines.TryNext(out _, out _);
            throw Damaged(lineNumber, last
                ? "the header line is cut or not JSON, so there is no run to read"
                : $"the line is not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            try
            {
                return ReadHeader(document.RootElement, lineNumber);
            }
            catch (InvalidOperationException ex)
            {
                // A value of the wrong JSON type, or a string that is not valid UTF-8 or UTF-16.
                throw Damaged(lineNumber, $"the header fields do not match the schema ({ex.Message})", ex);
            }
        }
    }

    private (RunMetadata, int) ReadHeader(JsonElement root, int lineNumber)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(RunLogSchema.KindProperty, out JsonElement kindElement)
            || kindElement.ValueKind != JsonValueKind.String)
        {
            throw Damaged(lineNumber, $"expected a JSON object with a string \"{RunLogSchema.KindProperty}\" property", null);
        }

        string kind = kindElement.GetString()!;
        if (kind != RunLogSchema.HeaderKind)
        {
            throw Damaged(lineNumber, $"expected the header line (\"kind\":\"{RunLogSchema.HeaderKind}\") first, found \"{kind}\"; is this a run log?", null);
        }

        if (!root.TryGetProperty(RunLogSchema.SchemaVersionProperty, out JsonElement version)
            || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out int schemaVersion)
            || schemaVersion < 1)
        {
            throw Damaged(lineNumber, $"the header has no \"{RunLogSchema.SchemaVersionProperty}\" (a positive integer)", null);
        }

        if (schemaVersion > RunLogSchema.CurrentVersion)
        {
            throw Damaged(lineNumber,
                $"schema version {schemaVersion} is newer than this reader's {RunLogSchema.CurrentVersion}; update TrainingDiagnostics to read it", null);
        }

        RunMetadata metadata;
        try
        {
            metadata = root.Deserialize(RunLogJsonContext.Default.RunMetadata) ?? throw Damaged(lineNumber, "the record is null", null);
        }
        catch (JsonException ex)
        {
            throw Damaged(lineNumber, $"the RunMetadata fields do not match the schema ({ex.Message})", ex);
        }

        // An explicit "tags":null is tolerated as no tags, and a tag whose value is null (a caller's null let past the
        // annotations, written as is) as an empty value: the header is the whole run, read rather than refused.
        if (metadata.Tags is null)
        {
            metadata = metadata with { Tags = new Dictionary<string, string>() };
        }
        else if (metadata.Tags.Values.Any(v => v is null))
        {
            metadata = metadata with { Tags = metadata.Tags.ToDictionary(t => t.Key, t => t.Value ?? "", StringComparer.Ordinal) };
        }

        return (Checked(metadata, RunLogJsonContext.Default.RunMetadata, lineNumber), schemaVersion);
    }

    /// <summary>The record on <paramref name="line"/>, or null for a line that is not one (parameters, unknown kind, a cut line).</summary>
    private object? ReadRecord(ReadOnlySpan<byte> line, int lineNumber)
    {
        string? kind;
        try
        {
            // A step line as the writer writes it starts so; reading its kind from the bytes gives the same answer, faster.
            kind = line.StartsWith("{\"kind\":\"step\","u8) ? RunLogSchema.StepKind : KindOf(line);
        }
        catch (JsonException ex)
        {
            return Cut(line, lineNumber, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Damaged(lineNumber, $"its \"{RunLogSchema.KindProperty}\" is not valid text ({ex.Message})", ex); // invalid UTF-8, a lone surrogate
        }

        if (kind is null)
        {
            return IsValidJson(line)
                ? throw Damaged(lineNumber, $"expected a JSON object with a string \"{RunLogSchema.KindProperty}\" property", null)
                : Cut(line, lineNumber, null);
        }

        try
        {
            if (RunLogKinds.Find(kind) is { } recordKind)
            {
                return recordKind.Read(line, this, lineNumber);
            }

            switch (kind)
            {
                case RunLogSchema.ParametersKind:
                    ParameterNames = StepLine.ReadNames(line) ?? throw Damaged(lineNumber, $"a parameters line needs a \"{RunLogSchema.NamesProperty}\" array of strings", null);
                    return null;
                case RunLogSchema.HeaderKind:
                    throw Damaged(lineNumber, "a second header line; were two run logs concatenated?", null);
                default:
                    if (!IsValidJson(line))
                    {
                        return Cut(line, lineNumber, null);
                    }

                    SkippedRecordCount++; // written by a newer version: forward compatible by design
                    return null;
            }
        }
        catch (JsonException ex)
        {
            return IsValidJson(line)
                ? throw Damaged(lineNumber, $"the {kind} fields do not match the schema ({ex.Message})", ex)
                : Cut(line, lineNumber, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Damaged(lineNumber, $"the {kind} fields do not match the schema ({ex.Message})", ex);
        }
    }

    /// <summary>A line that is not JSON: forgiven (the run is incomplete) only if no line follows it.</summary>
    private object? Cut(ReadOnlySpan<byte> line, int lineNumber, JsonException? ex)
    {
        string why = ex?.Message ?? "it ends before the object does";
        _pending = Damaged(lineNumber, $"the line is not valid JSON ({why})", ex);
        return null;
    }

    /// <summary><paramref name="record"/>, once it holds no null its type forbids and no undefined enum value (<see cref="RecordValidation"/>).</summary>
    internal T Checked<T>(T record, JsonTypeInfo<T> typeInfo, int lineNumber)
        where T : notnull =>
        RecordValidation.FindDamage(record, typeInfo) is { } damage ? throw Damaged(lineNumber, damage, null) : record;

    internal T Deserialize<T>(ReadOnlySpan<byte> line, JsonTypeInfo<T> typeInfo, int lineNumber) =>
        JsonSerializer.Deserialize(line, typeInfo) ?? throw Damaged(lineNumber, "the record is null", null);

    private static string? KindOf(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isKind = reader.ValueTextEquals("kind"u8);
            reader.Read();
            if (isKind)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }

    private static bool IsValidJson(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            while (reader.Read())
            {
            }

            return reader.BytesConsumed == line.Length || line[(int)reader.BytesConsumed..].Trim(" \t\r"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    internal InvalidDataException Damaged(int lineNumber, string what, Exception? inner) =>
        new($"The {_source} is damaged at line {lineNumber}: {what}.", inner);
}
