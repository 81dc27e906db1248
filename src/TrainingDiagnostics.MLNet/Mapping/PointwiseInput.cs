using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>The input row of the PointwiseDerivatives CustomMapping (public because ML.NET binds it by reflection; not for direct use).</summary>
public sealed class PointwiseInput
{
    /// <summary>The fixed name the input column is copied to (as a Single vector), so that the stage reloads with its columns.</summary>
    public const string ColumnName = "__TrainingDiagnostics_Pointwise_Input";

    /// <summary>The points.</summary>
    [ColumnName(ColumnName)]
    [VectorType]
    public VBuffer<float> Values;
}
