using System.Buffers;
using System.Text;
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
/// Output is culture-invariant.
/// </remarks>
public sealed class RunLogWriter : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly byte[] NewLine = [(byte)'\n'];

    private readonly Stream? _stream;
    private readonly TextWriter? _text;
    private readonly bool _leaveOpen;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private string[] _names = [];
    private bool _disposed;

    /// <summary>
    /// Creates (or overwrites) the run log at <paramref name="path"/> and writes its header line. The file
    /// stays readable by other processes while it is written.
    /// </summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <param name="metadata">The run's metadata, written as the header.</param>
    public RunLogWriter(string path, RunMetadata metadata)
        : this(OpenFile(path), null, metadata, leaveOpen: false)
    {
    }

    /// <summary>Writes the run log to <paramref name="writer"/>, starting with the header line.</summary>
    /// <param name="writer">Where the lines go; flushed after every line.</param>
    /// <param name="metadata">The run's metadata, written as the header.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave <paramref name="writer"/> open on dispose.</param>
    public RunLogWriter(TextWriter writer, RunMetadata metadata, bool leaveOpen = false)
        : this(null, writer ?? throw new ArgumentNullException(nameof(writer)), metadata, leaveOpen)
    {
    }

    private RunLogWriter(Stream? stream, TextWriter? text, RunMetadata metadata, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        _stream = stream;
        _text = text;
        _leaveOpen = leaveOpen;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
        lock (_gate)
        {
            AppendRecord(RunLogSchema.HeaderKind, metadata, RunLogJsonContext.Default.RunMetadata, schemaVersion: true);
            Emit();
        }
    }

    /// <summary>The number of records written after the header (a <c>parameters</c> line is not counted).</summary>
    public long RecordCount { get; private set; }

    /// <summary>Appends one step line (preceded by a <c>parameters</c> line when its parameters are new) and flushes it.</summary>
    /// <param name="step">The step to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(StepRecord step)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            IReadOnlyList<LayerStatistics> layers = step.Layers ?? [];
            if (layers.Count > 0 && !SameNames(layers))
            {
                _names = NamesOf(layers);
                AppendParameters();
            }

            AppendStep(step, layers);
            Emit();
            RecordCount++;
        }
    }

    /// <summary>Appends one anomaly line and flushes it.</summary>
    /// <param name="anomaly">The incident to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        WriteRecord(RunLogSchema.AnomalyEventKind, anomaly, RunLogJsonContext.Default.AnomalyEvent);
    }

    /// <summary>Appends one metric line and flushes it.</summary>
    /// <param name="metric">The measured value.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(MetricRecord metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        WriteRecord(RunLogSchema.MetricKind, metric, RunLogJsonContext.Default.MetricRecord);
    }

    /// <summary>Appends one data-profile line and flushes it.</summary>
    /// <param name="profile">The profile to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(DataProfileRecord profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        WriteRecord(RunLogSchema.DataProfileKind, profile, RunLogJsonContext.Default.DataProfileRecord);
    }

    /// <summary>Appends one observed-fit line and flushes it.</summary>
    /// <param name="fit">The observed fit to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(ObservedFitRecord fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        WriteRecord(RunLogSchema.ObservedFitKind, fit, RunLogJsonContext.Default.ObservedFitRecord);
    }

    /// <summary>Appends one curvature line and flushes it.</summary>
    /// <param name="curvature">The curvature estimate to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(CurvatureRecord curvature)
    {
        ArgumentNullException.ThrowIfNull(curvature);
        WriteRecord(RunLogSchema.CurvatureKind, curvature, RunLogJsonContext.Default.CurvatureRecord);
    }

    /// <summary>Appends one line recording a contained instrument failure and flushes it.</summary>
    /// <param name="failure">The failure to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(InstrumentFailureRecord failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        WriteRecord(RunLogSchema.InstrumentFailureKind, failure, RunLogJsonContext.Default.InstrumentFailureRecord);
    }

    /// <summary>Appends one line recording a Heal action or its outcome and flushes it.</summary>
    /// <param name="heal">The record to write.</param>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Write(HealRecord heal)
    {
        ArgumentNullException.ThrowIfNull(heal);
        WriteRecord(RunLogSchema.HealKind, heal, RunLogJsonContext.Default.HealRecord);
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

        return new RunLogWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    private RunLogWriter(Stream appendTo)
    {
        _stream = appendTo;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
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
            _json.Dispose();
            _stream?.Flush();
            _text?.Flush();
            if (!_leaveOpen)
            {
                _stream?.Dispose();
                _text?.Dispose();
            }
        }
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

    private void WriteRecord<T>(string kind, T record, JsonTypeInfo<T> typeInfo)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            AppendRecord(kind, record, typeInfo, schemaVersion: false);
            Emit();
            RecordCount++;
        }
    }

    // The record serializes as {"a":..}; the line is {"kind":"<kind>","a":..}: the discriminator comes first so a
    // reader (or a person with `head`) sees it at once.
    private void AppendRecord<T>(string kind, T record, JsonTypeInfo<T> typeInfo, bool schemaVersion)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(record, typeInfo);
        var prefix = new StringBuilder("{\"").Append(RunLogSchema.KindProperty).Append("\":\"").Append(kind).Append('"');
        if (schemaVersion)
        {
            prefix.Append(",\"").Append(RunLogSchema.SchemaVersionProperty).Append("\":").Append(RunLogSchema.CurrentVersion);
        }

        Append(Encoding.UTF8.GetBytes(prefix.ToString()));
        if (body.Length > 2)
        {
            Append([(byte)',']);
            Append(body.AsSpan(1));
        }
        else
        {
            Append([(byte)'}']);
        }

        Append(NewLine);
    }

    private void AppendParameters()
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString(RunLogSchema.KindProperty, RunLogSchema.ParametersKind);
        _json.WriteStartArray(RunLogSchema.NamesProperty);
        foreach (string name in _names)
        {
            _json.WriteStringValue(name);
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        Append(NewLine);
    }

    private void AppendStep(StepRecord step, IReadOnlyList<LayerStatistics> layers)
    {
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString(RunLogSchema.KindProperty, RunLogSchema.StepKind);
        _json.WriteNumber("step", step.Step);
        if (step.Epoch is int epoch)
        {
            _json.WriteNumber("epoch", epoch);
        }

        WriteNumber("loss", step.Loss);
        WriteOptional("learningRate", step.LearningRate);
        WriteOptional("elapsedMilliseconds", step.ElapsedMilliseconds);
        WriteOptional("gradientNorm", step.GradientNorm);
        if (step.Skipped is bool skipped)
        {
            _json.WriteBoolean("skipped", skipped);
        }

        if (layers.Count > 0)
        {
            // Columns (a step read from a log, or built by a caller as columns) are written without a record per value.
            double?[] gradient, weight, update;
            if (layers is ParameterColumns columns)
            {
                (gradient, weight, update) = (columns.GradientNorms.ToArray(), columns.WeightNorms.ToArray(), columns.UpdateRatios.ToArray());
            }
            else
            {
                (gradient, weight, update) = (new double?[layers.Count], new double?[layers.Count], new double?[layers.Count]);
                for (int i = 0; i < layers.Count; i++)
                {
                    LayerStatistics layer = layers[i];
                    (gradient[i], weight[i], update[i]) = (layer.GradientNorm, layer.WeightNorm, layer.UpdateRatio);
                }
            }

            bool float32 = AllFloat32(gradient) && AllFloat32(weight) && AllFloat32(update);
            if (float32)
            {
                _json.WriteBoolean(RunLogSchema.Float32Property, true);
            }

            WriteColumn(RunLogSchema.GradientNormsProperty, gradient, float32);
            if (Array.Exists(weight, v => v is not null))
            {
                WriteColumn(RunLogSchema.WeightNormsProperty, weight, float32);
            }

            if (Array.Exists(update, v => v is not null))
            {
                WriteColumn(RunLogSchema.UpdateRatiosProperty, update, float32);
            }
        }

        _json.WriteEndObject();
        _json.Flush();
        Append(NewLine);
    }

    private static bool AllFloat32(double?[] values)
    {
        foreach (double? value in values)
        {
            if (value is double v && double.IsFinite(v) && (double)(float)v != v)
            {
                return false;
            }
        }

        return true;
    }

    private void WriteColumn(string name, double?[] values, bool float32)
    {
        _json.WriteStartArray(name);
        foreach (double? value in values)
        {
            if (value is not double v)
            {
                _json.WriteNullValue();
            }
            else if (!double.IsFinite(v))
            {
                _json.WriteStringValue(NamedLiteral(v));
            }
            else if (float32)
            {
                _json.WriteNumberValue((float)v); // shortest float32 text: about half the digits of a double's
            }
            else
            {
                _json.WriteNumberValue(v); // shortest text that round-trips
            }
        }

        _json.WriteEndArray();
    }

    private void WriteOptional(string name, double? value)
    {
        if (value is double v)
        {
            WriteNumber(name, v);
        }
    }

    private void WriteNumber(string name, double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumber(name, value);
        }
        else
        {
            _json.WriteString(name, NamedLiteral(value));
        }
    }

    private static string NamedLiteral(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    private void Append(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    // One write and one flush per record: a reader never sees half a line, and a crash loses only what was in flight.
    private void Emit()
    {
        ReadOnlySpan<byte> bytes = _buffer.WrittenSpan;
        if (_stream is not null)
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
        else
        {
            _text!.Write(Encoding.UTF8.GetString(bytes));
            _text.Flush();
        }

        _buffer.ResetWrittenCount();
    }
}
