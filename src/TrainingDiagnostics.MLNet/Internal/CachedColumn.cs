using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// One input column's values for the rows of a batch: a batching cursor moves its input a batch ahead, so it keeps each
/// row's value of every column the consumer asked for and serves it when the consumer reaches that row (as ML.NET's own
/// shuffling pool keeps rows). Values are read through the input's getter into slots the cache owns.
/// </summary>
internal abstract class CachedColumn
{
    /// <summary>A cache for <paramref name="column"/> of <paramref name="input"/>, typed by the column's raw type.</summary>
    public static CachedColumn Create(DataViewRow input, DataViewSchema.Column column, int capacity)
    {
        Type raw = column.Type.RawType;
        Type cache = raw.IsGenericType && raw.GetGenericTypeDefinition() == typeof(VBuffer<>)
            ? typeof(CachedVectorColumn<>).MakeGenericType(raw.GetGenericArguments()[0])
            : typeof(CachedValueColumn<>).MakeGenericType(raw);
        return (CachedColumn)Activator.CreateInstance(cache, input, column, capacity)!;
    }

    /// <summary>Reads the input's current row into <paramref name="slot"/>.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter that serves the value kept in the slot <paramref name="slot"/> returns at each call.</summary>
    public abstract Delegate Getter(Func<int> slot);
}
