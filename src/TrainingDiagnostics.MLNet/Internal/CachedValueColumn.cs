using Microsoft.ML;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>A <see cref="CachedColumn"/> of values that are copied by assignment (numbers, Boolean, text, keys, ids).</summary>
internal sealed class CachedValueColumn<T>(DataViewRow input, DataViewSchema.Column column, int capacity) : CachedColumn
{
    private readonly ValueGetter<T> _getter = input.GetGetter<T>(column);
    private readonly T[] _values = new T[capacity];

    public override void Store(int slot) => _getter(ref _values[slot]);

    public override Delegate Getter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);
}
