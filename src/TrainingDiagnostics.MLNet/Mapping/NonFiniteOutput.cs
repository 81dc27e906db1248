namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>The output row of the FlagNonFinite CustomMapping: the columns it adds.</summary>
public sealed class NonFiniteOutput
{
    /// <summary>True when a value of the row is NaN or infinite.</summary>
    public bool HasNonFinite { get; set; }

    /// <summary>How many values of the row are NaN or infinite.</summary>
    public int NonFiniteCount { get; set; }
}
