using System.Collections;
using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// What JSON deserialization lets through and a record's type forbids: <c>null</c> where the type declares a non-null
/// value (a property, an entry of a list, a value of a dictionary) and an enum value that names no member (enums are
/// also read from numbers, <c>"phase":99</c>). Read from the serializer's own metadata, so a new record kind is checked
/// without code of its own.
/// </summary>
/// <remarks>List entries and dictionary values of a reference type are never null in a run log; a record that wants
/// null entries must declare them with a value type (<c>double?</c>).</remarks>
internal static class RecordValidation
{
    private const int MaxDepth = 16;

    /// <summary>The first thing wrong with <paramref name="record"/>, said for the user (the JSON path, what it holds, what it must hold), or null.</summary>
    public static string? FindDamage(object record, JsonTypeInfo typeInfo) => Object(record, typeInfo, "", 0);

    private static string? Object(object value, JsonTypeInfo typeInfo, string path, int depth)
    {
        foreach (JsonPropertyInfo property in typeInfo.Properties)
        {
            if (property.Get is null)
            {
                continue;
            }

            string at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            object? propertyValue = property.Get(value);
            string? damage = propertyValue is null
                ? property.IsGetNullable ? null : $"\"{at}\" is null, expected a value"
                : Value(propertyValue, property.PropertyType, at, depth + 1);
            if (damage is not null)
            {
                return damage;
            }
        }

        return null;
    }

    private static string? Value(object value, Type declared, string path, int depth)
    {
        Type type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (type.IsEnum)
        {
            return Enum.IsDefined(type, value)
                ? null
                : $"\"{path}\" is {value}, expected one of {string.Join(", ", Enum.GetNames(type))}";
        }

        if (depth > MaxDepth || value is string || RunLogJsonContext.Default.GetTypeInfo(type) is not { } typeInfo)
        {
            return null;
        }

        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                return Object(value, typeInfo, path, depth);
            case JsonTypeInfoKind.Dictionary when value is IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    string at = $"{path}.{entry.Key}";
                    string? damage = entry.Value is null
                        ? NullEntry(typeInfo, at)
                        : Value(entry.Value, typeInfo.ElementType!, at, depth + 1);
                    if (damage is not null)
                    {
                        return damage;
                    }
                }

                return null;
            case JsonTypeInfoKind.Enumerable when value is IEnumerable items:
                int index = 0;
                foreach (object? item in items)
                {
                    string at = $"{path}[{index++}]";
                    string? damage = item is null
                        ? NullEntry(typeInfo, at)
                        : Value(item, typeInfo.ElementType!, at, depth + 1);
                    if (damage is not null)
                    {
                        return damage;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? NullEntry(JsonTypeInfo collection, string path) =>
        collection.ElementType is { IsValueType: true } ? null : $"\"{path}\" is null, expected a value";
}
