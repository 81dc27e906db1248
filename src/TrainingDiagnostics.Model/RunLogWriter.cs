using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Appends a run to a JSON Lines run log in the compact layout of schema version 2 (see <see cref="RunLogSchema"/>):
/// the header on construction, then one line per record; parameter names go into a <c>parameters</c> line when a step
/// lists parameters the log has not announced yet, and each step line carries its per-parameter values as arrays. Each
/// line is flushed to the operating system as soon as it is written, so a crashed training loses at most the record
/// in flight.
/// </summary>
/// <remarks>
/// Thread-safe: concurrent <c>Write</c> calls produce whole lines (a step and the <c>parameters</c> line it needs are
/// written together). It keeps no per-step state beyond the announced names, so it may be called from any thread.
/// Output is culture-invariant. Every record kind goes through <see cref="RunLogKinds"/>: the typed <c>Write</c> overloads
/// and <see cref="WriteRecord"/> are the same path. Lines go to one byte stream (a <see cref="TextWriter"/> target is
/// wrapped as one).
/// </remarks>
public sealed class RunLogWriter : IDisposable
{
    // Step and parameters lines: relaxed escaping (names as written). Other records: the serializer's default escaping.
    private static readonly JsonWriterOptions StepOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonWriterOptions RecordOptions = new() { Encoder = RunLogKinds.WriteOptions.Encoder, SkipValidation = true };
    private static readonly byte[] NewLine = [(byte)'\n'];

    private readonly Stream _sink;
    private readonly bool _leaveOpen;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _stepJson;
    private readonly Utf8JsonWriter _recordJson;
    private string[] _names = [];
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
        : this(new TextWriterStream(writer ?? throw new ArgumentNullException(nameof(writer))), metadata, leaveOpen)
    {
    }

    private RunLogWriter(Stream sink, RunMetadata metadata, bool leaveOpen)
        : this(sink, leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_gate)
        {
            AppendJson(metadata, (JsonTypeInfo<RunMetadata>)RunLogKinds.WriteOptions.GetTypeInfo(typeof(RunMetadata)));
            Emit();
        }
    }

    private RunLogWriter(Stream sink, bool leaveOpen)
    {
        _sink = sink;
        _leaveOpen = leaveOpen;
        _stepJson = new Utf8JsonWriter(_buffer, StepOptions);
        _recordJson = new Utf8JsonWriter(_buffer, RecordOptions);
    }

    /// <summary>The number of records written after the header (a <c>parameters</c> line is not counted).</summary>
    public long RecordCount { get; private set; }

    /// <summary>
    /// Appends one record of any kind in <see cref="RunLogKinds.All"/> (a step is preceded by a <c>parameters</c> line
    /// when its parameters are new) and flushes it.
    /// </summary>
    /// <param name="record">A <see cref="StepRecord"/>, an <see cref="AnomalyEvent"/>, a <see cref="MetricRecord"/>... (see <see cref="RunLogKinds.All"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="record"/> is of a type no run-log line holds.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void WriteRecord(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RunLogKind kind = RunLogKinds.Of(record.GetType()) ?? throw new ArgumentException(
            $"The run log has no line for a {record.GetType().Name}: expected one of {string.Join(", ", RunLogKinds.All.Select(k => k.RecordType.Name))}.",
            nameof(record));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                kind.Write(this, record);
            }
            catch
            {
                _buffer.ResetWrittenCount(); // no half line reaches the log
                throw;
            }

            Emit();
            RecordCount++;
        }
    }

    /// <summary>Appends one step line (preceded by a <c>parameters</c> line when its parameters are new) and flushes it.</summary>
    /// <param name="step">The step to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(StepRecord step) => WriteRecord(step);

    /// <summary>Appends one anomaly line and flushes it.</summary>
    /// <param name="anomaly">The incident to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(AnomalyEvent anomaly) => WriteRecord(anomaly);

    /// <summary>Appends one metric line and flushes it.</summary>
    /// <param name="metric">The measured value.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(MetricRecord metric) => WriteRecord(metric);

    /// <summary>Appends one data-profile line and flushes it.</summary>
    /// <param name="profile">The profile to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(DataProfileRecord profile) => WriteRecord(profile);

    /// <summary>Appends one observed-fit line and flushes it.</summary>
    /// <param name="fit">The observed fit to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(ObservedFitRecord fit) => WriteRecord(fit);

    /// <summary>Appends one curvature line and flushes it.</summary>
    /// <param name="curvature">The curvature estimate to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(CurvatureRecord curvature) => WriteRecord(curvature);

    /// <summary>Appends one line recording a contained instrument failure and flushes it.</summary>
    /// <param name="failure">The failure to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(InstrumentFailureRecord failure) => WriteRecord(failure);

    /// <summary>Appends one line recording a Heal action or its outcome and flushes it.</summary>
    /// <param name="heal">The record to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(HealRecord heal) => WriteRecord(heal);

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

        return new RunLogWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), leaveOpen: false);
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
            _stepJson.Dispose();
            _recordJson.Dispose();
            _sink.Flush();
            if (!_leaveOpen)
            {
                _sink.Dispose();
            }
        }
    }

    /// <summary>Appends <paramref name="record"/> as one line, through a contract that writes its <c>"kind"</c> first (<see cref="RunLogKinds.WriteOptions"/>).</summary>
    internal void AppendJson<T>(T record, JsonTypeInfo<T> contract)
    {
        _recordJson.Reset(_buffer);
        JsonSerializer.Serialize(_recordJson, record, contract);
        _recordJson.Flush();
        _buffer.Write(NewLine);
    }

    /// <summary>Appends a step line, after a parameters line when its parameters differ from the last announced.</summary>
    internal void AppendStep(StepRecord step)
    {
        IReadOnlyList<LayerStatistics> layers = step.Layers ?? [];
        if (layers.Count > 0 && !SameNames(layers))
        {
            _names = NamesOf(layers);
            _stepJson.Reset(_buffer);
            StepLine.WriteNames(_stepJson, _names);
            _stepJson.Flush();
            _buffer.Write(NewLine);
        }

        _stepJson.Reset(_buffer);
        StepLine.Write(_stepJson, step, layers);
        _stepJson.Flush();
        _buffer.Write(NewLine);
    }

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
    }

    private static string[] NamesOf(IReadOnlyList<LayerStatistics> layers)
    {
        if (layers is ParameterColumns columns && columns.Names is string[] shared)
        {
            return shared;
        }

        var names = new string[layers.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = layers[i]?.Name ?? throw new ArgumentException("A step's layer entry is null or has no name.", "step");
        }

        return names;
    }

    private bool SameNames(IReadOnlyList<LayerStatistics> layers)
    {
        if (layers.Count != _names.Length)
        {
            return false;
        }

        if (layers is ParameterColumns columns && ReferenceEquals(columns.Names, _names))
        {
            return true;
        }

        for (int i = 0; i < _names.Length; i++)
        {
            if (!string.Equals(layers[i]?.Name, _names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // One write and one flush per record: a reader never sees half a line, and a crash loses only what was in flight.
    private void Emit()
    {
        _sink.Write(_buffer.WrittenSpan);
        _sink.Flush();
        _buffer.ResetWrittenCount();
    }
}
