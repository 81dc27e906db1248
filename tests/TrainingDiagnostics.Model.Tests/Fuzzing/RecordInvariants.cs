using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>
/// What every record the reader returns must honour, checked by reflection over the record types' own declarations
/// (an oracle independent of the reader): no null where the type says non-null (properties, list entries, dictionary
/// values), and no enum value outside its declared members.
/// </summary>
internal static class RecordInvariants
{
    private static readonly Assembly Model = typeof(RunMetadata).Assembly;

    // What each record type declares, read once per type (reflection and nullability are slow to read per record).
    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, NullabilityInfo Nullability)[]> Declared = new();

    /// <summary>Throws <see cref="AssertFailedException"/> naming the first broken invariant in <paramref name="record"/>.</summary>
    public static void Check(object record, string path)
    {
        Visit(record, path, depth: 0);
    }

    private static (PropertyInfo, NullabilityInfo)[] PropertiesOf(Type type) => Declared.GetOrAdd(type, t =>
    {
        var context = new NullabilityInfoContext(); // not thread-safe: one per type read
        return t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && !p.PropertyType.IsByRefLike && p.GetMethod is not null)
            .Select(p => (p, context.Create(p)))
            .ToArray();
    });

    private static void Visit(object value, string path, int depth)
    {
        if (depth > 16)
        {
            return;
        }

        Type type = value.GetType();
        if (type.IsEnum)
        {
            Assert.IsTrue(Enum.IsDefined(type, value), $"{path} is {value}, not a member of {type.Name}");
            return;
        }

        if (type.Assembly != Model)
        {
            return;
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                Assert.IsNotNull(item, $"{path}[{i}] is null");
                Visit(item, $"{path}[{i++}]", depth + 1);
            }

            return;
        }

        foreach ((PropertyInfo property, NullabilityInfo nullability) in PropertiesOf(type))
        {
            object? propertyValue = property.GetValue(value);
            string at = $"{path}.{property.Name}";
            if (propertyValue is null)
            {
                Assert.AreNotEqual(NullabilityState.NotNull, nullability.ReadState, $"{at} is null, but {type.Name} declares it non-null");
                continue;
            }

            if (propertyValue is string)
            {
                continue;
            }

            if (propertyValue is IEnumerable collection)
            {
                CheckEntries(collection, nullability, at, depth);
                continue;
            }

            Visit(propertyValue, at, depth + 1);
        }
    }

    private static void CheckEntries(IEnumerable collection, NullabilityInfo nullability, string path, int depth)
    {
        NullabilityInfo? entry = nullability.ElementType ?? nullability.GenericTypeArguments.LastOrDefault();
        int i = 0;
        foreach (object? item in collection)
        {
            object? value = item;
            if (item is not null && item.GetType().IsGenericType && item.GetType().GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
            {
                value = item.GetType().GetProperty("Value")!.GetValue(item);
            }

            if (value is null)
            {
                Assert.AreNotEqual(NullabilityState.NotNull, entry?.ReadState ?? NullabilityState.Unknown, $"{path}[{i}] is null, but its entries are declared non-null");
            }
            else
            {
                Visit(value, $"{path}[{i}]", depth + 1);
            }

            i++;
        }
    }
}
