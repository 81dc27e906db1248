using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// What a column check sees of a column's type, taken alike from a full <see cref="DataViewSchema"/> (in <c>Fit</c>) and from
/// a <see cref="SchemaShape"/> (in <c>GetOutputSchema</c>), so that each check is written once and both say the same thing.
/// A shape knows no vector sizes and no key counts: <see cref="Size"/> and <see cref="KeyCount"/> are then null.
/// </summary>
/// <param name="Kind">Scalar, vector of known size, or vector of variable size.</param>
/// <param name="Item">The item type; for a key, the primitive type of its raw values (as <see cref="SchemaShape"/> gives it).</param>
/// <param name="IsKey">Whether the items are keys.</param>
/// <param name="Size">The vector's size, when known.</param>
/// <param name="KeyCount">The key's count of values, when known.</param>
internal readonly record struct ColumnTypeShape(SchemaShape.Column.VectorKind Kind, DataViewType Item, bool IsKey, int? Size, ulong? KeyCount)
{
    public static ColumnTypeShape Of(DataViewType type)
    {
        (SchemaShape.Column.VectorKind kind, DataViewType item, int? size) = type switch
        {
            VectorDataViewType { IsKnownSize: true } v => (SchemaShape.Column.VectorKind.Vector, v.ItemType, v.Size),
            VectorDataViewType v => (SchemaShape.Column.VectorKind.VariableVector, v.ItemType, (int?)null),
            _ => (SchemaShape.Column.VectorKind.Scalar, type, (int?)null),
        };
        return item is KeyDataViewType key
            ? new ColumnTypeShape(kind, KeyRawType(key.RawType), true, size, key.Count)
            : new ColumnTypeShape(kind, item, false, size, null);
    }

    public static ColumnTypeShape Of(SchemaShape.Column column) => new(column.Kind, column.ItemType, column.IsKey, null, null);

    public bool IsScalar => Kind == SchemaShape.Column.VectorKind.Scalar;

    /// <summary>The item is Single or Double (not a key): what every floating-point requirement accepts.</summary>
    public bool IsFloatingPoint => !IsKey && (Item == NumberDataViewType.Single || Item == NumberDataViewType.Double);

    /// <summary>
    /// A floating-point column whose items are Double (false: Single). The one test the stages that take Single or Double
    /// dispatch on (the flag's factory, the conversion to Single, the profile's getters).
    /// </summary>
    public bool IsDouble => IsFloatingPoint && Item == NumberDataViewType.Double;

    /// <summary>The type as the errors write it: <c>Single</c>, <c>String</c>, <c>Vector&lt;Single, 13&gt;</c>, <c>Key&lt;UInt32, 3&gt;</c>...</summary>
    public string Describe()
    {
        string item = !IsKey ? Name(Item) : KeyCount is { } count ? $"Key<{Name(Item)}, {count}>" : $"Key<{Name(Item)}>";
        return Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.Vector => Size is { } size ? $"Vector<{item}, {size}>" : $"Vector<{item}> of known size",
            _ => $"Vector<{item}> of variable size",
        };
    }

    private static string Name(DataViewType type) => type.RawType == typeof(ReadOnlyMemory<char>) ? "String" : type.RawType.Name;

    private static DataViewType KeyRawType(Type raw) =>
        raw == typeof(byte) ? NumberDataViewType.Byte
        : raw == typeof(ushort) ? NumberDataViewType.UInt16
        : raw == typeof(uint) ? NumberDataViewType.UInt32
        : NumberDataViewType.UInt64;
}
