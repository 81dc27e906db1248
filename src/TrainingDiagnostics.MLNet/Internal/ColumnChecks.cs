using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Applies a <see cref="ColumnRequirement"/> to a full schema (in <c>Fit</c>) or to a <see cref="SchemaShape"/> (in
/// <c>GetOutputSchema</c>): both throw the same <see cref="ArgumentException"/>, which names the column, the expected type and
/// the actual one (or, for a missing column, the columns the data has), and says what to do.
/// </summary>
internal static class ColumnChecks
{
    /// <summary>The column <paramref name="name"/>, after checking it meets <paramref name="requirement"/>.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, ColumnRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(name)
            ?? throw Missing(name, requirement, schema.Where(c => !c.IsHidden).Select(c => (c.Name, ColumnTypeShape.Of(c.Type))));
        Check(name, ColumnTypeShape.Of(column.Type), requirement);
        return column;
    }

    /// <summary>The type of the column <paramref name="name"/> of a shape, after checking it meets <paramref name="requirement"/>.</summary>
    public static ColumnTypeShape Require(SchemaShape shape, string name, ColumnRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var column in shape)
        {
            if (column.Name == name)
            {
                var type = ColumnTypeShape.Of(column);
                Check(name, type, requirement);
                return type;
            }
        }

        throw Missing(name, requirement, shape.Select(c => (c.Name, ColumnTypeShape.Of(c))));
    }

    /// <summary>The size of the feature vector <paramref name="name"/>, after checking it is a Single vector of known size.</summary>
    public static int KnownSizeSingleVector(DataViewSchema schema, string name, ColumnRequirement requirement) =>
        ((VectorDataViewType)Require(schema, name, requirement).Type).Size;

    public static string Describe(DataViewType type) => ColumnTypeShape.Of(type).Describe();

    private static void Check(string name, ColumnTypeShape actual, ColumnRequirement requirement)
    {
        if (!requirement.Accepts(actual))
        {
            throw new ArgumentException(
                $"The {requirement.Role} column '{name}' must be of type {requirement.Expected}, but it is {actual.Describe()}. {requirement.Advice(actual)}");
        }
    }

    private static ArgumentException Missing(string name, ColumnRequirement requirement, IEnumerable<(string Name, ColumnTypeShape Type)> present)
    {
        string has = string.Join(", ", present.Select(c => $"'{c.Name}' ({c.Type.Describe()})"));
        return new ArgumentException(
            $"The {requirement.Role} column '{name}' was not found: expected a column '{name}' of type {requirement.Expected}. " +
            (has.Length > 0 ? $"The data has: {has}." : "The data has no visible columns."));
    }
}
