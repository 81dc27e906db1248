using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.MLNet.Mapping;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Copies the checked column to the factory's fixed input name (as a Single vector), maps it, and drops the copy: every
/// stage is savable, and the user's column name survives a save and load because the copy stage persists it.
/// </summary>
internal sealed class NonFiniteFlagEstimator(MLContext context, string inputColumnName) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Chain(input.Schema).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!ShapeColumns.TryFind(inputSchema, inputColumnName, out var column))
        {
            throw new ArgumentException($"FlagNonFinite: the column '{inputColumnName}' was not found: expected a column of type Single or Double, or a vector of them.");
        }

        return StageChains.ToSingleVector(context, inputColumnName, column.ItemType, NonFiniteInput.ColumnName)
            .Append(context.Transforms.CustomMapping(new FlagNonFiniteFactory().GetMapping(), FlagNonFiniteFactory.ContractName))
            .Append(context.Transforms.DropColumns(NonFiniteInput.ColumnName))
            .GetOutputSchema(inputSchema);
    }

    private IEstimator<ITransformer> Chain(DataViewSchema schema)
    {
        var column = ColumnChecks.Find(schema, inputColumnName, "FlagNonFinite input", "Single or Double, or a vector of them");
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        if (item != NumberDataViewType.Single && item != NumberDataViewType.Double)
        {
            throw new ArgumentException(
                $"FlagNonFinite: the column '{inputColumnName}' must be of type Single or Double (or a vector of them), but it is {ColumnChecks.Describe(column.Type)}.");
        }

        return StageChains.ToSingleVector(context, inputColumnName, item, NonFiniteInput.ColumnName)
            .Append(context.Transforms.CustomMapping(new FlagNonFiniteFactory().GetMapping(), FlagNonFiniteFactory.ContractName))
            .Append(context.Transforms.DropColumns(NonFiniteInput.ColumnName));
    }
}
