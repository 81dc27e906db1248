using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// A row (or cursor) of scored data: the input's columns as they are, then the score columns, computed once per row by
/// one forward pass of the module when one of them is read.
/// </summary>
internal sealed class ScoringCursor : DataViewRowCursor
{
    private readonly DataViewRow _input;
    private readonly TorchModuleTransformer _owner;
    private readonly int _inputCount;
    private readonly bool[] _active;
    private readonly ValueGetter<VBuffer<float>>? _features;
    private readonly float[] _row;
    private float[] _output = [];
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

        Delegate getter = (_owner.Task, column.Name) switch
        {
            (TorchModuleTask.MulticlassClassification, ScoringSchema.Score) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                float[] p = Scored();
                var editor = VBufferEditor.Create(ref value, p.Length);
                p.AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            }),
            (TorchModuleTask.MulticlassClassification, ScoringSchema.PredictedLabel) => (ValueGetter<uint>)((ref uint value) =>
            {
                float[] p = Scored();
                value = float.IsNaN(p[0]) ? 0u : (uint)ArgMax(p) + 1;
            }),
            (TorchModuleTask.BinaryClassification, ScoringSchema.Probability) => (ValueGetter<float>)((ref float value) =>
                value = 1f / (1f + MathF.Exp(-Scored()[0]))),
            (TorchModuleTask.BinaryClassification, ScoringSchema.PredictedLabel) => (ValueGetter<bool>)((ref bool value) =>
                value = Scored()[0] > 0),
            _ => (ValueGetter<float>)((ref float value) => value = Scored()[0]),
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
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

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    private float[] Scored()
    {
        if (_scoredPosition != _input.Position || _input is not DataViewRowCursor)
        {
            _features!(ref _buffer);
            _buffer.CopyTo(_row);
            _output = _owner.Score(_row);
            _scoredPosition = _input.Position;
        }

        return _output;
    }
}
