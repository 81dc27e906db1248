using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// A record kind serialized by System.Text.Json as one object (every kind but the step): written through the
/// contract of <see cref="RunLogKinds.WriteOptions"/>, which puts the <c>"kind"</c> property first, and read with the
/// plain source-generated contract, then completed (lists a log may omit) and checked.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class JsonRecordKind<T> : RunLogKind
    where T : class
{
    private readonly JsonTypeInfo<T> _readContract;
    private readonly Func<DiagnosticsRun, IReadOnlyList<T>> _get;
    private readonly Func<DiagnosticsRun, IReadOnlyList<T>, DiagnosticsRun> _set;
    private readonly Func<T, string?> _missing;
    private readonly Func<T, T> _complete;
    private JsonTypeInfo<T>? _writeContract;

    /// <param name="name">The kind's name.</param>
    /// <param name="contract">The source-generated contract of <typeparamref name="T"/>.</param>
    /// <param name="get">The run's list of this kind.</param>
    /// <param name="set">A copy of the run with another list of this kind.</param>
    /// <param name="missing">What a read record lacks that its type requires (a damage message), or null.</param>
    /// <param name="complete">The read record with the lists an older or sparser log omits set to empty.</param>
    public JsonRecordKind(
        string name,
        JsonTypeInfo<T> contract,
        Func<DiagnosticsRun, IReadOnlyList<T>> get,
        Func<DiagnosticsRun, IReadOnlyList<T>, DiagnosticsRun> set,
        Func<T, string?>? missing = null,
        Func<T, T>? complete = null)
        : base(name, typeof(T))
    {
        _readContract = contract;
        _get = get;
        _set = set;
        _missing = missing ?? (_ => null);
        _complete = complete ?? (r => r);
    }

    private JsonTypeInfo<T> WriteContract => _writeContract ??= (JsonTypeInfo<T>)RunLogKinds.WriteOptions.GetTypeInfo(typeof(T));

    public override IReadOnlyList<object> RecordsOf(DiagnosticsRun run) => _get(run);

    public override DiagnosticsRun WithRecords(DiagnosticsRun run, IEnumerable<object> records) => _set(run, records.Cast<T>().ToList());

    internal override bool SameRecords(DiagnosticsRun a, DiagnosticsRun b) => _get(a).SequenceEqual(_get(b));

    internal override void Write(RunLogWriter writer, object record) => writer.AppendJson((T)record, WriteContract);

    internal override object? Read(ReadOnlySpan<byte> line, RunLogCursor cursor, int lineNumber)
    {
        T record = cursor.Deserialize(line, _readContract, lineNumber);
        return _missing(record) is { } missing
            ? throw cursor.Damaged(lineNumber, missing, null)
            : cursor.Checked(_complete(record), _readContract, lineNumber);
    }
}
