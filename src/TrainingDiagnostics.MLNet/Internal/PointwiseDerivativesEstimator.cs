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
        var column = ColumnChecks.Find(input.Schema, inputColumnName, "PointwiseDerivatives input", "Single or Double, or a vector of them");
        var item = column.Type is VectorDataViewType v ? v.ItemType : column.Type;
        if (item != NumberDataViewType.Single && item != NumberDataViewType.Double)
        {
            throw new ArgumentException(
                $"PointwiseDerivatives: the column '{inputColumnName}' must be of type Single or Double (or a vector of them), but it is {ColumnChecks.Describe(column.Type)}.");
        }

        return Chain(item).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!ShapeColumns.TryFind(inputSchema, inputColumnName, out var column))
        {
            throw new ArgumentException($"PointwiseDerivatives: the column '{inputColumnName}' was not found: expected a column of type Single or Double, or a vector of them.");
        }

        return Chain(column.ItemType).GetOutputSchema(inputSchema);
    }

    private IEstimator<ITransformer> Chain(DataViewType item)
    {
        var factory = DiagnosticsCatalog.RegisterFactory<TFunction>(context, order);
        return StageChains.ToSingleVector(context, inputColumnName, item, PointwiseInput.ColumnName)
            .Append(context.Transforms.CustomMapping(factory.GetMapping(), PointwiseFactoryTypes.ContractName(typeof(TFunction), order)))
            .Append(context.Transforms.CopyColumns(outputColumnName, PointwiseOutput.ColumnName))
            .Append(context.Transforms.DropColumns(PointwiseInput.ColumnName, PointwiseOutput.ColumnName));
    }
}
