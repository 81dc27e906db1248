using Parquet;
using Parquet.Schema;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Export.Tables;

/// <summary><c>steps.parquet</c>: one row per parameter per step (long format).</summary>
internal sealed class StepsTable(string path, int capacity) : ParquetTable(path, capacity, new ParquetSchema(Run, Rank, Step, Parameter, GradientNorm, WeightNorm, UpdateRatio))
{
    internal static readonly DataField<string> Run = new("run", nullable: false);
    internal static readonly DataField<int?> Rank = new("rank");
    internal static readonly DataField<long> Step = new("step");
    internal static readonly DataField<string> Parameter = new("parameter", nullable: false);
    internal static readonly DataField<double?> GradientNorm = new("gradient_norm");
    internal static readonly DataField<double?> WeightNorm = new("weight_norm");
    internal static readonly DataField<double?> UpdateRatio = new("update_ratio");

    private string?[] _run = new string?[capacity];
    private int?[] _rank = new int?[capacity];
    private long[] _step = new long[capacity];
    private string?[] _parameter = new string?[capacity];
    private double?[] _gradient = new double?[capacity];
    private double?[] _weight = new double?[capacity];
    private double?[] _update = new double?[capacity];

    /// <summary>Whether <paramref name="rows"/> more rows fit in the current row group.</summary>
    public bool Fits(int rows) => Count + rows <= Capacity;

    /// <summary>Buffers one row per parameter of <paramref name="record"/>; the caller made room (<see cref="Fits"/>, <see cref="Reserve"/>).</summary>
    public void Add(string run, int? rank, StepRecord record)
    {
        int at = Count;
        if (record.Layers is ParameterColumns columns)
        {
            // The version-2 log's columns, read as they are: no record per parameter.
            ReadOnlySpan<double?> gradient = columns.GradientNorms, weight = columns.WeightNorms, update = columns.UpdateRatios;
            for (int i = 0; i < columns.Count; i++, at++)
            {
                Row(at, run, rank, record.Step, columns.Names[i]);
                _gradient[at] = gradient[i];
                _weight[at] = weight.IsEmpty ? null : weight[i];
                _update[at] = update.IsEmpty ? null : update[i];
            }
        }
        else
        {
            foreach (LayerStatistics layer in record.Layers)
            {
                Row(at, run, rank, record.Step, layer.Name);
                _gradient[at] = layer.GradientNorm;
                _weight[at] = layer.WeightNorm;
                _update[at] = layer.UpdateRatio;
                at++;
            }
        }

        Count = at;
    }

    /// <summary>Grows the row group to hold a step of <paramref name="rows"/> parameters, when one row group is smaller.</summary>
    public void Reserve(int rows)
    {
        if (rows <= Capacity)
        {
            return;
        }

        Capacity = rows;
        Array.Resize(ref _run, rows);
        Array.Resize(ref _rank, rows);
        Array.Resize(ref _step, rows);
        Array.Resize(ref _parameter, rows);
        Array.Resize(ref _gradient, rows);
        Array.Resize(ref _weight, rows);
        Array.Resize(ref _update, rows);
    }

    protected override async Task WriteColumnsAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        await WriteAsync(group, Run, _run, count).ConfigureAwait(false);
        await WriteAsync(group, Rank, _rank, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Step, _step, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Parameter, _parameter, count).ConfigureAwait(false);
        await WriteAsync(group, GradientNorm, _gradient, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, WeightNorm, _weight, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, UpdateRatio, _update, count, cancellationToken).ConfigureAwait(false);
    }

    private void Row(int at, string run, int? rank, long step, string parameter)
    {
        _run[at] = run;
        _rank[at] = rank;
        _step[at] = step;
        _parameter[at] = parameter;
    }
}
