using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Appends a run to a JSON Lines run log (see <see cref="RunLogSchema"/>): the header on construction, then
/// one line per record. Each line is flushed to the operating system as soon as it is written, so a
/// crashed training loses at most the record in flight.
/// </summary>
/// <remarks>Thread-safe: concurrent <c>Write</c> calls produce whole lines. Output is culture-invariant.</remarks>
public sealed class RunLogWriter : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _leaveOpen;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>
    /// Creates (or overwrites) the run log at <paramref name="path"/> and writes its header line. The file
    /// stays readable by other processes while it is written.
    /// </summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <param name="metadata">The run's metadata, written as the header.</param>
    public RunLogWriter(string path, RunMetadata metadata)
        : this(OpenFile(path), metadata, leaveOpen: false)
    {
    }

    /// <summary>Writes the run log to <paramref name="writer"/>, starting with the header line.</summary>
    /// <param name="writer">Where the lines go; flushed after every line.</param>
    /// <param name="metadata">The run's metadata, written as the header.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave <paramref name="writer"/> open on dispose.</param>
    public RunLogWriter(TextWriter writer, RunMetadata metadata, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(metadata);
        _writer = writer;
        _leaveOpen = leaveOpen;
        WriteLine(
            RunLogSchema.HeaderKind,
            $",\"{RunLogSchema.SchemaVersionProperty}\":{RunLogSchema.CurrentVersion}",
            metadata,
            RunLogJsonContext.Default.RunMetadata);
    }

    /// <summary>The number of records written after the header.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Appends one step line and flushes it.</summary>
    /// <param name="step">The step to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(StepRecord step)
    {
        ArgumentNullException.ThrowIfNull(step);
        WriteLine(RunLogSchema.StepKind, prefixProperties: "", step, RunLogJsonContext.Default.StepRecord);
    }

    /// <summary>Appends one anomaly line and flushes it.</summary>
    /// <param name="anomaly">The incident to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        WriteLine(RunLogSchema.AnomalyEventKind, prefixProperties: "", anomaly, RunLogJsonContext.Default.AnomalyEvent);
    }

    /// <summary>Appends one metric line and flushes it.</summary>
    /// <param name="metric">The measured value.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(MetricRecord metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        WriteLine(RunLogSchema.MetricKind, prefixProperties: "", metric, RunLogJsonContext.Default.MetricRecord);
    }

    /// <summary>Appends one data-profile line and flushes it.</summary>
    /// <param name="profile">The profile to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(DataProfileRecord profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        WriteLine(RunLogSchema.DataProfileKind, prefixProperties: "", profile, RunLogJsonContext.Default.DataProfileRecord);
    }

    /// <summary>Appends one observed-fit line and flushes it.</summary>
    /// <param name="fit">The observed fit to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(ObservedFitRecord fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        WriteLine(RunLogSchema.ObservedFitKind, prefixProperties: "", fit, RunLogJsonContext.Default.ObservedFitRecord);
    }

    /// <summary>
    /// Opens an existing run log (written and closed by another writer, for example a training monitor's) to append
    /// records after its last line; no header is written.
    /// </summary>
    /// <param name="path">The run log to extend; it must exist.</param>
    /// <returns>A writer whose records go at the end of the file.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RunLogWriter Append(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Cannot append to the run log '{path}': it does not exist. Write its header first with new RunLogWriter(path, metadata).", path);
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new RunLogWriter(new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
    }

    private RunLogWriter(TextWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Flushes and closes the log (and the underlying writer unless it was left open).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer.Flush();
            if (!_leaveOpen)
            {
                _writer.Dispose();
            }
        }
    }

    private static StreamWriter OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    // The record serializes as {"a":..}; the line is {"kind":"<kind>"<prefix>,"a":..}: the discriminator
    // comes first so a reader (or a person with `head`) sees it at once.
    private void WriteLine<T>(string kind, string prefixProperties, T record, JsonTypeInfo<T> typeInfo)
    {
        string body = JsonSerializer.Serialize(record, typeInfo);
        var line = new StringBuilder(body.Length + 32)
            .Append("{\"").Append(RunLogSchema.KindProperty).Append("\":\"").Append(kind).Append('"')
            .Append(prefixProperties);
        if (body.Length > 2)
        {
            line.Append(',').Append(body, 1, body.Length - 1);
        }
        else
        {
            line.Append('}');
        }

        line.Append('\n');
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.Write(line.ToString());
            _writer.Flush();
            if (kind != RunLogSchema.HeaderKind)
            {
                RecordCount++;
            }
        }
    }
}
