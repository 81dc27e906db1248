using Parquet;
using Parquet.Schema;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Export.Tables;

/// <summary><c>incidents.parquet</c>: one row per anomaly event, its main fields (the tensor statistics stay in the log).</summary>
internal sealed class IncidentsTable(string path, int capacity) : ParquetTable(path, capacity,
    new ParquetSchema(Run, Rank, Step, Kind, Severity, Phase, Module, Operation, NaNCount, InfCount, Value, Threshold, Action, Message, Suggestion))
{
    internal static readonly DataField<string> Run = new("run", nullable: false);
    internal static readonly DataField<int?> Rank = new("rank");
    internal static readonly DataField<long> Step = new("step");
    internal static readonly DataField<string> Kind = new("kind", nullable: false);
    internal static readonly DataField<string> Severity = new("severity", nullable: false);
    internal static readonly DataField<string> Phase = new("phase", nullable: false);
    internal static readonly DataField<string> Module = new("module", nullable: true);
    internal static readonly DataField<string> Operation = new("operation", nullable: true);
    internal static readonly DataField<long> NaNCount = new("nan_count");
    internal static readonly DataField<long> InfCount = new("inf_count");
    internal static readonly DataField<double?> Value = new("value");
    internal static readonly DataField<double?> Threshold = new("threshold");
    internal static readonly DataField<string> Action = new("action", nullable: true);
    internal static readonly DataField<string> Message = new("message", nullable: false);
    internal static readonly DataField<string> Suggestion = new("suggestion", nullable: true);

    private readonly string?[] _run = new string?[capacity];
    private readonly int?[] _rank = new int?[capacity];
    private readonly long[] _step = new long[capacity];
    private readonly string?[] _kind = new string?[capacity];
    private readonly string?[] _severity = new string?[capacity];
    private readonly string?[] _phase = new string?[capacity];
    private readonly string?[] _module = new string?[capacity];
    private readonly string?[] _operation = new string?[capacity];
    private readonly long[] _nan = new long[capacity];
    private readonly long[] _inf = new long[capacity];
    private readonly double?[] _value = new double?[capacity];
    private readonly double?[] _threshold = new double?[capacity];
    private readonly string?[] _action = new string?[capacity];
    private readonly string?[] _message = new string?[capacity];
    private readonly string?[] _suggestion = new string?[capacity];

    /// <summary>Buffers one incident; the caller writes a row group when <see cref="ParquetTable.IsFull"/>.</summary>
    public void Add(string run, int? rank, AnomalyEvent anomaly)
    {
        int at = Count++;
        _run[at] = run;
        _rank[at] = rank;
        _step[at] = anomaly.Step;
        _kind[at] = anomaly.Kind.ToString();
        _severity[at] = AnomalyKinds.SeverityOf(anomaly).ToString();
        _phase[at] = anomaly.Phase.ToString();
        _module[at] = anomaly.ModulePath;
        _operation[at] = anomaly.Operation;
        _nan[at] = anomaly.NaNCount;
        _inf[at] = anomaly.InfCount;
        _value[at] = anomaly.Value;
        _threshold[at] = anomaly.Threshold;
        _action[at] = anomaly.Action;
        _message[at] = anomaly.Message;
        _suggestion[at] = anomaly.Suggestion;
    }

    protected override async Task WriteColumnsAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        await WriteAsync(group, Run, _run, count).ConfigureAwait(false);
        await WriteAsync(group, Rank, _rank, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Step, _step, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Kind, _kind, count).ConfigureAwait(false);
        await WriteAsync(group, Severity, _severity, count).ConfigureAwait(false);
        await WriteAsync(group, Phase, _phase, count).ConfigureAwait(false);
        await WriteAsync(group, Module, _module, count).ConfigureAwait(false);
        await WriteAsync(group, Operation, _operation, count).ConfigureAwait(false);
        await WriteAsync(group, NaNCount, _nan, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, InfCount, _inf, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Value, _value, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Threshold, _threshold, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Action, _action, count).ConfigureAwait(false);
        await WriteAsync(group, Message, _message, count).ConfigureAwait(false);
        await WriteAsync(group, Suggestion, _suggestion, count).ConfigureAwait(false);
    }
}
