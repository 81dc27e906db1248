using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>The input row of the FlagNonFinite CustomMapping for Single columns (public because ML.NET binds it by reflection; not for direct use).</summary>
public sealed class NonFiniteInput
{
    /// <summary>The fixed name the checked Single column is copied to, so that the stage reloads with its column (CustomMapping persists no renames).</summary>
    public const string ColumnName = "__TrainingDiagnostics_FlagNonFinite_Input";

    /// <summary>The values to check.</summary>
    [ColumnName(ColumnName)]
    [VectorType]
    public VBuffer<float> Values;
}
