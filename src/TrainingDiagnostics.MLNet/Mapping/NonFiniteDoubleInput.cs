using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>The input row of the FlagNonFinite CustomMapping for Double columns (public because ML.NET binds it by reflection; not for direct use).</summary>
public sealed class NonFiniteDoubleInput
{
    /// <summary>The fixed name the checked Double column is copied to, so that the stage reloads with its column (CustomMapping persists no renames).</summary>
    public const string ColumnName = "__TrainingDiagnostics_FlagNonFinite_DoubleInput";

    /// <summary>The values to check.</summary>
    [ColumnName(ColumnName)]
    [VectorType]
    public VBuffer<double> Values;
}
