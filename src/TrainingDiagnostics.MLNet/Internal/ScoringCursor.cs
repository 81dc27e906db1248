using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// A row (or cursor) of scored data, one row per forward pass: the input's columns as they are, then the score columns,
/// computed when one of them is read. A prediction engine's row mapper uses it; so does a cursor that reads no score
/// column (it passes the input through). Cursors that read scores use <see cref="BatchScoringCursor"/>.
/// </summary>
internal sealed class ScoringCursor : DataViewRowCursor
{
    private readonly DataViewRow _input;
    private readonly TorchModuleTransformer _owner;
    private readonly int _inputCount;
    private readonly bool[] _active;
    private readonly ValueGetter<VBuffer<float>>? _features;
    private readonly float[] _row;
    private readonly float[] _output;
    private long _scoredPosition = -1;
    private VBuffer<float> _buffer;

    public ScoringCursor(DataViewRow input, DataViewSchema schema, TorchModuleTransformer owner, Func<int, bool> isActive)
    {
        _input = input;
        _owner = owner;
        Schema = schema;
        _inputCount = input.Schema.Count;
        _active = Enumerable.Range(0, schema.Count).Select(isActive).ToArray();
        _row = new float[owner.FeatureSize];
        _output = new float[owner.OutputCount];
        if (_active.Skip(_inputCount).Any(a => a))
        {
            _features = input.GetGetter<VBuffer<float>>(input.Schema[owner.FeatureColumnName]);
        }
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override bool MoveNext() => _input is DataViewRowCursor cursor
        ? cursor.MoveNext()
        : throw new InvalidOperationException("A mapped row cannot move; map each row of the source instead.");

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputCount)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
        }

        return ScoringSchema.Getter(_owner.Task, column.Name, Scored) as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' is of type {ColumnChecks.Describe(column.Type)}, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _input is DataViewRowCursor cursor)
        {
            cursor.Dispose();
        }

        base.Dispose(disposing);
    }

    private ReadOnlySpan<float> Scored()
    {
        // A plain row (a prediction engine's) may change its values without moving: score it at every read.
        if (_scoredPosition != _input.Position || _input is not DataViewRowCursor)
        {
            _features!(ref _buffer);
            _owner.CheckFeatureLength(_buffer.Length, _input.Position);
            _buffer.CopyTo(_row);
            _owner.Score(_row, 1, _output);
            _scoredPosition = _input.Position;
        }

        return _output;
    }
}
