using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>The output row of the PointwiseDerivatives CustomMapping.</summary>
public sealed class PointwiseOutput
{
    /// <summary>The fixed name of the output before it is copied to the user's column name.</summary>
    public const string ColumnName = "__TrainingDiagnostics_Pointwise_Output";

    /// <summary>Derivatives, order-major: entry k·n + i is f^(k)(x_i) for n inputs and k = 0..order.</summary>
    [ColumnName(ColumnName)]
    [VectorType]
    public float[] Derivatives { get; set; } = [];
}
