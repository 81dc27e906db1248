namespace TrainingDiagnostics.Model;

/// <summary>
/// One kind of record line in a run log: its <c>"kind"</c> name, the record type it holds, how it is written and read
/// back, and which list of a <see cref="DiagnosticsRun"/> holds it. The kinds are listed once, in
/// <see cref="RunLogKinds.All"/>; the writer, the reader, <see cref="DiagnosticsRun"/> and the report's in-memory path
/// all go through that table.
/// </summary>
/// <remarks>
/// The set is closed: kinds are added to <see cref="RunLogKinds"/> by this library (a newer log's unknown kinds are
/// skipped by the reader and counted).
/// </remarks>
public abstract class RunLogKind
{
    private protected RunLogKind(string name, Type recordType)
    {
        Name = name;
        RecordType = recordType;
    }

    /// <summary>The line's <c>"kind"</c> value, for example <c>"anomaly"</c> (see <see cref="RunLogSchema"/>).</summary>
    public string Name { get; }

    /// <summary>The record type a line of this kind holds, for example <see cref="AnomalyEvent"/>.</summary>
    public Type RecordType { get; }

    /// <summary>The records of this kind held by <paramref name="run"/>, in record order.</summary>
    /// <param name="run">The run.</param>
    /// <returns>The run's list for this kind (for example <see cref="DiagnosticsRun.Anomalies"/>).</returns>
    public abstract IReadOnlyList<object> RecordsOf(DiagnosticsRun run);

    /// <summary>A copy of <paramref name="run"/> whose list for this kind is <paramref name="records"/>.</summary>
    /// <param name="run">The run to copy.</param>
    /// <param name="records">The records, each of type <see cref="RecordType"/>, in record order.</param>
    /// <returns>The new run.</returns>
    /// <exception cref="InvalidCastException">A record is not of type <see cref="RecordType"/>.</exception>
    public abstract DiagnosticsRun WithRecords(DiagnosticsRun run, IEnumerable<object> records);

    /// <summary>Whether the two runs hold equal records of this kind, in the same order.</summary>
    internal abstract bool SameRecords(DiagnosticsRun a, DiagnosticsRun b);

    /// <summary>Appends <paramref name="record"/> (of type <see cref="RecordType"/>) as one line.</summary>
    internal abstract void Write(RunLogWriter writer, object record);

    /// <summary>The record on <paramref name="line"/> (its kind is this one), or null when the line holds no record.</summary>
    /// <exception cref="System.Text.Json.JsonException">The line is not JSON or its fields do not fit the record.</exception>
    /// <exception cref="InvalidDataException">The record is damaged (a value its type forbids).</exception>
    internal abstract object? Read(ReadOnlySpan<byte> line, RunLogCursor cursor, int lineNumber);

    /// <summary>The kind's name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;
}
