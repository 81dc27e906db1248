using Microsoft.ML;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>Lookups in a <see cref="SchemaShape"/> (its own lookup is internal to ML.NET).</summary>
internal static class ShapeColumns
{
    public static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (var candidate in shape)
        {
            if (candidate.Name == name)
            {
                column = candidate;
                return true;
            }
        }

        column = default;
        return false;
    }
}
