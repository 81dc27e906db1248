using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// The result of <see cref="DataProfileEstimator.Fit"/>: passes data through unchanged and exposes the profile of the data
/// it was fitted on. Saved by <c>mlContext.Model.Save</c> as an empty (identity) stage: the profile is not part of the
/// model, it lives in the run (<see cref="DiagnosticsRun.DataProfiles"/>).
/// </summary>
public sealed class DataProfileTransformer : ITransformer
{
    private readonly TransformerChain<ITransformer> _identity = new();

    internal DataProfileTransformer(DataProfileRecord profile) => Profile = profile;

    /// <summary>The profile of the data this stage was fitted on: per column count, non-finite count, min, max, mean, standard deviation, constancy, the scale spread and findings.</summary>
    public DataProfileRecord Profile { get; }

    /// <summary>True: rows pass through.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema, unchanged.</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <returns>The same schema.</returns>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _identity.GetOutputSchema(inputSchema);

    /// <summary>An identity row mapper.</summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <returns>The mapper.</returns>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)_identity).GetRowToRowMapper(inputSchema);

    /// <summary>Returns <paramref name="input"/> itself.</summary>
    /// <param name="input">The data.</param>
    /// <returns>The same data.</returns>
    public IDataView Transform(IDataView input) => _identity.Transform(input);

    /// <summary>Saves an identity stage (an empty transformer chain) in place of this one.</summary>
    /// <param name="ctx">ML.NET's save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_identity).Save(ctx);
}
