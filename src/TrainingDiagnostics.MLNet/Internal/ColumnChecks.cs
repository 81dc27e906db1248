using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>Schema checks that name the column, the expected type and the actual one, and say what to do.</summary>
internal static class ColumnChecks
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, string expected)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"The {role} column '{name}' was not found: expected a column '{name}' of type {expected}. " +
            $"The data has: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}' ({Describe(c.Type)})"))}.");
    }

    /// <summary>A vector of Single with a known size; returns the size.</summary>
    public static int KnownSizeSingleVector(DataViewSchema schema, string name, string role)
    {
        const string expected = "Vector<Single> of known size";
        var column = Find(schema, name, role, expected);
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw new ArgumentException(
                $"The {role} column '{name}' must be of type {expected}, but it is {Describe(column.Type)}. " +
                "Concatenate numeric columns into one with mlContext.Transforms.Concatenate, and convert them to Single with mlContext.Transforms.Conversion.ConvertType.");
        }

        if (!vector.IsKnownSize)
        {
            throw new ArgumentException(
                $"The {role} column '{name}' must be of type {expected}, but it is {Describe(column.Type)} (a vector of variable size): " +
                "the module's input layer needs a fixed number of features. Give the loader the vector's size (for example LoadColumn(0, 63) or " +
                "[VectorType(64)]), or pad the vectors to one size.");
        }

        return vector.Size;
    }

    public static void Label(DataViewSchema schema, string name, TorchModuleTask task)
    {
        string expected = task switch
        {
            TorchModuleTask.BinaryClassification => "Boolean",
            TorchModuleTask.MulticlassClassification => "Key<UInt32> with a known count of classes",
            _ => "Single",
        };
        var column = Find(schema, name, "label", expected);
        bool ok = task switch
        {
            TorchModuleTask.BinaryClassification => column.Type == BooleanDataViewType.Instance,
            TorchModuleTask.MulticlassClassification => column.Type is KeyDataViewType { RawType: var raw, Count: > 0 } && raw == typeof(uint),
            _ => column.Type == NumberDataViewType.Single,
        };
        if (!ok)
        {
            string fix = task switch
            {
                TorchModuleTask.BinaryClassification => "Load the label as bool, or map it with mlContext.Transforms.CustomMapping or Conversion.ConvertType to Boolean.",
                TorchModuleTask.MulticlassClassification => "Map the label to a key with mlContext.Transforms.Conversion.MapValueToKey (the trainer needs the count of classes).",
                _ => "Convert it with mlContext.Transforms.Conversion.ConvertType(..., DataKind.Single).",
            };
            throw new ArgumentException(
                $"The label column '{name}' must be of type {expected} for {task}, but it is {Describe(column.Type)}. {fix}");
        }
    }

    public static void LabelShape(SchemaShape shape, string name, TorchModuleTask task)
    {
        if (!ShapeColumns.TryFind(shape, name, out var column))
        {
            throw new ArgumentException($"The label column '{name}' was not found: expected a column of the type {task} needs.");
        }

        bool ok = task switch
        {
            TorchModuleTask.BinaryClassification => column.ItemType == BooleanDataViewType.Instance && column.Kind == SchemaShape.Column.VectorKind.Scalar,
            TorchModuleTask.MulticlassClassification => column.IsKey && column.Kind == SchemaShape.Column.VectorKind.Scalar,
            _ => column.ItemType == NumberDataViewType.Single && column.Kind == SchemaShape.Column.VectorKind.Scalar,
        };
        if (!ok)
        {
            throw new ArgumentException($"The label column '{name}' has the wrong type for {task}: {column.Kind} of {column.ItemType}{(column.IsKey ? " (key)" : "")}.");
        }
    }

    public static string Describe(DataViewType type) => type switch
    {
        VectorDataViewType { IsKnownSize: true } v => $"Vector<{Describe(v.ItemType)}, {v.Size}>",
        VectorDataViewType v => $"Vector<{Describe(v.ItemType)}> of variable size",
        KeyDataViewType k => $"Key<{k.RawType.Name}, {k.Count}>",
        _ => type.RawType.Name == "ReadOnlyMemory`1" ? "String" : type.RawType.Name,
    };
}
