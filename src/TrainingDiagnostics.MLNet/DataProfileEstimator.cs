using Microsoft.ML;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// Profiles columns when fitted (one pass over the data) and passes the data on unchanged: per column the count of values,
/// of NaN/infinite values, min, max, mean, standard deviation and whether it is constant; vectors of up to 32 slots are also
/// profiled slot by slot; and the spread of typical magnitudes across columns (slots), with a finding when it exceeds 100
/// (normalize). The profile is recorded in the <see cref="MLContext"/>, so that a later <see cref="TorchModuleTrainer"/> fit
/// carries it into its run and run log. Created by <see cref="DiagnosticsCatalog.ProfileData"/>.
/// </summary>
public sealed class DataProfileEstimator : IEstimator<DataProfileTransformer>
{
    private readonly MLContext _context;
    private readonly string[] _columns;

    internal DataProfileEstimator(MLContext context, string[] columns, string name)
    {
        _context = context;
        _columns = columns;
        Name = name;
    }

    /// <summary>The name given to the profile (the data set or stage).</summary>
    public string Name { get; }

    /// <summary>The profiled columns.</summary>
    public IReadOnlyList<string> ColumnNames => _columns;

    /// <summary>Profiles <paramref name="input"/> (one pass) and records the profile in the context.</summary>
    /// <param name="input">The data.</param>
    /// <returns>A pass-through transformer exposing the profile.</returns>
    /// <exception cref="ArgumentException">A column is missing or not numeric (Single or Double, scalar or vector).</exception>
    public DataProfileTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataProfileRecord profile = DataProfiler.Profile(input, _columns, Name);
        PipelineRecords.Of(_context).Add(profile);
        return new DataProfileTransformer(profile);
    }

    /// <summary>The input shape, unchanged, after checking the profiled columns as <see cref="Fit"/> does.</summary>
    /// <param name="inputSchema">The input shape.</param>
    /// <returns>The same shape.</returns>
    /// <exception cref="ArgumentException">A column is missing or not numeric (Single or Double, scalar or vector).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (string column in _columns)
        {
            ColumnChecks.Require(inputSchema, column, ColumnRequirement.Profiled);
        }

        return inputSchema;
    }
}
