using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// A <see cref="CachedColumn"/> of vectors: each slot owns its buffers (the input's getter refills them batch after batch),
/// and every read hands the consumer a copy, since a consumer may write into the buffers it passes to a getter.
/// </summary>
internal sealed class CachedVectorColumn<T>(DataViewRow input, DataViewSchema.Column column, int capacity) : CachedColumn
{
    private readonly ValueGetter<VBuffer<T>> _getter = input.GetGetter<VBuffer<T>>(column);
    private readonly VBuffer<T>[] _values = new VBuffer<T>[capacity];

    public override void Store(int slot) => _getter(ref _values[slot]);

    public override Delegate Getter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) => _values[slot()].CopyTo(ref value));
}
