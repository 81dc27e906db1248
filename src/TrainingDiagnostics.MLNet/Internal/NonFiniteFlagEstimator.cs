using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.MLNet.Mapping;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Copies the checked column to the factory's fixed input name (as a vector of its own item type), maps it, and drops the
/// copy: every stage is savable, and the user's column name survives a save and load because the copy stage persists it.
/// Single columns are checked as Single and Double columns as Double, each by its own factory.
/// </summary>
internal sealed class NonFiniteFlagEstimator(MLContext context, string inputColumnName) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = ColumnChecks.Require(input.Schema, inputColumnName, ColumnRequirement.FlagNonFiniteInput);
        return Chain(ColumnTypeShape.Of(column.Type)).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = ColumnChecks.Require(inputSchema, inputColumnName, ColumnRequirement.FlagNonFiniteInput);
        return Chain(type).GetOutputSchema(inputSchema);
    }

    private IEstimator<ITransformer> Chain(ColumnTypeShape type)
    {
        // Concatenate keeps the item type, so no value is rounded before it is checked.
        if (type.IsDouble)
        {
            return context.Transforms.Concatenate(NonFiniteDoubleInput.ColumnName, inputColumnName)
                .Append(context.Transforms.CustomMapping(new FlagNonFiniteDoubleFactory().GetMapping(), FlagNonFiniteDoubleFactory.ContractName))
                .Append(context.Transforms.DropColumns(NonFiniteDoubleInput.ColumnName));
        }

        return context.Transforms.Concatenate(NonFiniteInput.ColumnName, inputColumnName)
            .Append(context.Transforms.CustomMapping(new FlagNonFiniteFactory().GetMapping(), FlagNonFiniteFactory.ContractName))
            .Append(context.Transforms.DropColumns(NonFiniteInput.ColumnName));
    }
}
