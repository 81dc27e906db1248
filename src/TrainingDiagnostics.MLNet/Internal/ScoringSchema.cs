using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>The output columns of a <see cref="TorchModuleTransformer"/>, by task, as ML.NET's own trainers name them.</summary>
internal static class ScoringSchema
{
    public const string Score = "Score";
    public const string Probability = "Probability";
    public const string PredictedLabel = "PredictedLabel";

    public static IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> Columns(
        TorchModuleTask task, int outputs, DataViewSchema.Annotations? keyAnnotations) => task switch
    {
        TorchModuleTask.BinaryClassification =>
        [
            (Score, NumberDataViewType.Single, null),
            (Probability, NumberDataViewType.Single, null),
            (PredictedLabel, BooleanDataViewType.Instance, null),
        ],
        TorchModuleTask.MulticlassClassification =>
        [
            (Score, new VectorDataViewType(NumberDataViewType.Single, outputs), null),
            (PredictedLabel, new KeyDataViewType(typeof(uint), outputs), KeyValuesOnly(keyAnnotations)),
        ],
        _ => [(Score, NumberDataViewType.Single, null)],
    };

    public static DataViewSchema Build(DataViewSchema input, TorchModuleTask task, int outputs, DataViewSchema.Annotations? keyAnnotations, string[]? keyNames)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var (name, type, annotations) in Columns(task, outputs, keyAnnotations ?? (keyNames is null ? null : KeyNames.Build(keyNames))))
        {
            builder.AddColumn(name, type, annotations);
        }

        return builder.ToSchema();
    }

    private static DataViewSchema.Annotations? KeyValuesOnly(DataViewSchema.Annotations? annotations)
    {
        if (annotations?.Schema.GetColumnOrNull("KeyValues") is null)
        {
            return null;
        }

        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(annotations, kind => kind == "KeyValues");
        return builder.ToAnnotations();
    }
}
