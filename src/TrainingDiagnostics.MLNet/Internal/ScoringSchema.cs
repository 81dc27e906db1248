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

    /// <summary>
    /// The getter of the output column <paramref name="name"/> for <paramref name="task"/>, reading the module's outputs of the
    /// current row from <paramref name="outputs"/>: the logit, its sigmoid and "logit &gt; 0" (binary); the probabilities and
    /// the 1-based key of the largest (multiclass; key 0, missing, when they are NaN); the value (regression).
    /// </summary>
    public static Delegate Getter(TorchModuleTask task, string name, CurrentOutputs outputs) => (task, name) switch
    {
        (TorchModuleTask.MulticlassClassification, Score) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
        {
            ReadOnlySpan<float> p = outputs();
            var editor = VBufferEditor.Create(ref value, p.Length);
            p.CopyTo(editor.Values);
            value = editor.Commit();
        }),
        (TorchModuleTask.MulticlassClassification, PredictedLabel) => (ValueGetter<uint>)((ref uint value) =>
        {
            ReadOnlySpan<float> p = outputs();
            value = float.IsNaN(p[0]) ? 0u : (uint)ArgMax(p) + 1;
        }),
        (TorchModuleTask.BinaryClassification, Probability) => (ValueGetter<float>)((ref float value) =>
            value = 1f / (1f + MathF.Exp(-outputs()[0]))),
        (TorchModuleTask.BinaryClassification, PredictedLabel) => (ValueGetter<bool>)((ref bool value) =>
            value = outputs()[0] > 0),
        _ => (ValueGetter<float>)((ref float value) => value = outputs()[0]),
    };

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
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
