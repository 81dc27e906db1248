using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>The key values of a key-typed label as text (what <see cref="TorchModuleTransformer.SaveModule"/> keeps).</summary>
internal static class KeyNames
{
    /// <summary>The annotation that holds a key column's values (ML.NET's name for it).</summary>
    private const string KeyValuesKind = "KeyValues";

    /// <summary>
    /// The key values of <paramref name="column"/> as text, read with ML.NET's public <c>GetKeyValues</c> in their own item
    /// type (text for a label mapped from strings, Single for one mapped from numbers...); null when the column has no key
    /// values, or key values of a type ML.NET's MapValueToKey never produces.
    /// </summary>
    public static string[]? Of(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(KeyValuesKind) is not { Type: VectorDataViewType vector })
        {
            return null;
        }

        // The item types MapValueToKey keys by: GetKeyValues<T> needs T to be the annotation's raw type exactly.
        Type raw = vector.ItemType.RawType;
        return raw == typeof(ReadOnlyMemory<char>) ? Read<ReadOnlyMemory<char>>(column)
            : raw == typeof(float) ? Read<float>(column)
            : raw == typeof(double) ? Read<double>(column)
            : raw == typeof(bool) ? Read<bool>(column)
            : raw == typeof(sbyte) ? Read<sbyte>(column)
            : raw == typeof(byte) ? Read<byte>(column)
            : raw == typeof(short) ? Read<short>(column)
            : raw == typeof(ushort) ? Read<ushort>(column)
            : raw == typeof(int) ? Read<int>(column)
            : raw == typeof(uint) ? Read<uint>(column)
            : raw == typeof(long) ? Read<long>(column)
            : raw == typeof(ulong) ? Read<ulong>(column)
            : raw == typeof(DateTime) ? Read<DateTime>(column)
            : raw == typeof(DateTimeOffset) ? Read<DateTimeOffset>(column)
            : raw == typeof(TimeSpan) ? Read<TimeSpan>(column)
            : null;
    }

    public static DataViewSchema.Annotations Build(string[] names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var values = new VBuffer<ReadOnlyMemory<char>>(names.Length, names.Select(n => n.AsMemory()).ToArray());
        builder.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> v) => values.CopyTo(ref v));
        return builder.ToAnnotations();
    }

    private static string[] Read<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }
}
