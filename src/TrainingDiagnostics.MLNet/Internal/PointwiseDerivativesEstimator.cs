using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.MLNet.Mapping;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>Input column to a fixed Single vector, the generated factory's mapping, output copied to the user's name, fixed columns dropped.</summary>
internal sealed class PointwiseDerivativesEstimator<TFunction>(MLContext context, string outputColumnName, string inputColumnName, int order) : IEstimator<ITransformer>
    where TFunction : struct, IUnaryFunction
{
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = ColumnChecks.Require(input.Schema, inputColumnName, ColumnRequirement.PointwiseInput);
        return Chain(ColumnTypeShape.Of(column.Type)).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = ColumnChecks.Require(inputSchema, inputColumnName, ColumnRequirement.PointwiseInput);
        return Chain(type).GetOutputSchema(inputSchema);
    }

    private IEstimator<ITransformer> Chain(ColumnTypeShape type)
    {
        var factory = DiagnosticsCatalog.RegisterFactory<TFunction>(context, order);
        return StageChains.ToSingleVector(context, inputColumnName, type, PointwiseInput.ColumnName)
            .Append(context.Transforms.CustomMapping(factory.GetMapping(), PointwiseFactoryTypes.ContractName(typeof(TFunction), order)))
            .Append(context.Transforms.CopyColumns(outputColumnName, PointwiseOutput.ColumnName))
            .Append(context.Transforms.DropColumns(PointwiseInput.ColumnName, PointwiseOutput.ColumnName));
    }
}
