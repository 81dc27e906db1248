using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>Savable ML.NET stages that bring a numeric column to a Single vector under a fixed name.</summary>
internal static class StageChains
{
    public const string ConvertedSuffix = "__single";

    public static IEstimator<ITransformer> ToSingleVector(MLContext context, string input, ColumnTypeShape type, string fixedName)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (type.IsDouble)
        {
            string converted = fixedName + ConvertedSuffix;
            return chain
                .Append(context.Transforms.Conversion.ConvertType(converted, input, DataKind.Single))
                .Append(context.Transforms.Concatenate(fixedName, converted))
                .Append(context.Transforms.DropColumns(converted));
        }

        return chain.Append(context.Transforms.Concatenate(fixedName, input));
    }
}
