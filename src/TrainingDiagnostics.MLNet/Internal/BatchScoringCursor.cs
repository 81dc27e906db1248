using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// A cursor over scored data that reads a score column: it moves its input up to
/// <see cref="TorchModuleTransformer.ScoringBatchSize"/> rows ahead, keeping each row's features in one [rows, features]
/// buffer and the other requested input columns in <see cref="CachedColumn"/>s, runs one forward pass for the batch when
/// the first score of it is read, and then serves the rows one by one. Each cursor owns its buffers; only the forward pass
/// is shared (and serialized by the transformer).
/// </summary>
internal sealed class BatchScoringCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly TorchModuleTransformer _owner;
    private readonly int _inputCount;
    private readonly int _capacity;
    private readonly int _featureSize;
    private readonly int _outputCount;
    private readonly bool[] _active;
    private readonly CachedColumn?[] _cached;
    private readonly ValueGetter<VBuffer<float>> _features;
    private readonly ValueGetter<DataViewRowId> _id;
    private readonly DataViewRowId[] _ids;
    private readonly long[] _positions;
    private readonly long[] _batches;
    private readonly int[] _lengths;
    private readonly float[] _batchFeatures;
    private readonly float[] _batchOutputs;
    private readonly Func<int> _currentSlot;
    private VBuffer<float> _row;
    private int _count;
    private int _slot = -1;
    private bool _scored;
    private bool _done;

    public BatchScoringCursor(DataViewRowCursor input, DataViewSchema schema, TorchModuleTransformer owner, Func<int, bool> isActive, long? rowCount)
    {
        _input = input;
        _owner = owner;
        Schema = schema;
        _inputCount = input.Schema.Count;
        _active = Enumerable.Range(0, schema.Count).Select(isActive).ToArray();
        _capacity = (int)Math.Max(1, Math.Min(owner.ScoringBatchSize, rowCount ?? long.MaxValue));
        _featureSize = owner.FeatureSize;
        _outputCount = owner.OutputCount;
        _cached = new CachedColumn?[_inputCount];
        for (int i = 0; i < _inputCount; i++)
        {
            _cached[i] = _active[i] ? CachedColumn.Create(input, input.Schema[i], _capacity) : null;
        }

        _features = input.GetGetter<VBuffer<float>>(input.Schema[owner.FeatureColumnName]);
        _id = input.GetIdGetter();
        _ids = new DataViewRowId[_capacity];
        _positions = new long[_capacity];
        _batches = new long[_capacity];
        _lengths = new int[_capacity];
        _batchFeatures = new float[_capacity * _featureSize];
        _batchOutputs = new float[_capacity * _outputCount];
        _currentSlot = CurrentSlot;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => OnRow ? _positions[_slot] : -1;

    public override long Batch => OnRow ? _batches[_slot] : 0;

    private bool OnRow => _slot >= 0 && _slot < _count && !_done;

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = _ids[CurrentSlot()];

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (++_slot < _count)
        {
            return true;
        }

        _slot = 0;
        _done = !Fill();
        return !_done;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
        }

        Delegate getter = column.Index < _inputCount
            ? _cached[column.Index]!.Getter(_currentSlot)
            : ScoringSchema.Getter(_owner.Task, column.Name, Scored);
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' is of type {ColumnChecks.Describe(column.Type)}, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the next batch of rows from the input; false when the input has none left.</summary>
    private bool Fill()
    {
        _count = 0;
        _scored = false;
        while (_count < _capacity && _input.MoveNext())
        {
            int s = _count;
            _positions[s] = _input.Position;
            _batches[s] = _input.Batch;
            _id(ref _ids[s]);
            foreach (var cached in _cached)
            {
                cached?.Store(s);
            }

            _features(ref _row);
            _lengths[s] = _row.Length;
            var destination = _batchFeatures.AsSpan(s * _featureSize, _featureSize);
            if (_row.Length == _featureSize)
            {
                _row.CopyTo(destination);
            }
            else
            {
                // Scored as zeros so the rest of the batch scores; reading this row's score throws (see Scored).
                destination.Clear();
            }

            _count++;
        }

        return _count > 0;
    }

    private int CurrentSlot() => OnRow
        ? _slot
        : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and read values only while it returns true.");

    private ReadOnlySpan<float> Scored()
    {
        int slot = CurrentSlot();
        _owner.CheckFeatureLength(_lengths[slot], _positions[slot]);
        if (!_scored)
        {
            _owner.Score(_batchFeatures, _count, _batchOutputs);
            _scored = true;
        }

        return _batchOutputs.AsSpan(slot * _outputCount, _outputCount);
    }
}
