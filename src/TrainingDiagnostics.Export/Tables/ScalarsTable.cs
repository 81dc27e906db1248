using Parquet;
using Parquet.Schema;

namespace TrainingDiagnostics.Export.Tables;

/// <summary><c>scalars.parquet</c>: one row per named value per step (loss, learning rate, gradient norm, step time, metrics, curvature).</summary>
internal sealed class ScalarsTable(string path, int capacity) : ParquetTable(path, capacity, new ParquetSchema(Run, Rank, Step, Name, Value))
{
    internal static readonly DataField<string> Run = new("run", nullable: false);
    internal static readonly DataField<int?> Rank = new("rank");
    internal static readonly DataField<long> Step = new("step");
    internal static readonly DataField<string> Name = new("name", nullable: false);
    internal static readonly DataField<double> Value = new("value");

    private readonly string?[] _run = new string?[capacity];
    private readonly int?[] _rank = new int?[capacity];
    private readonly long[] _step = new long[capacity];
    private readonly string?[] _name = new string?[capacity];
    private readonly double[] _value = new double[capacity];

    /// <summary>Buffers one value; the caller writes a row group when <see cref="ParquetTable.IsFull"/>.</summary>
    public void Add(string run, int? rank, long step, string name, double value)
    {
        int at = Count++;
        _run[at] = run;
        _rank[at] = rank;
        _step[at] = step;
        _name[at] = name;
        _value[at] = value;
    }

    protected override async Task WriteColumnsAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        await WriteAsync(group, Run, _run, count).ConfigureAwait(false);
        await WriteAsync(group, Rank, _rank, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Step, _step, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Name, _name, count).ConfigureAwait(false);
        await WriteAsync(group, Value, _value, count, cancellationToken).ConfigureAwait(false);
    }
}
