using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>The rows of a data view read once into flat arrays: features row-major, labels by task.</summary>
internal sealed class TensorRows
{
    public required float[] Features { get; init; }

    public required int FeatureSize { get; init; }

    /// <summary>Binary (0/1) and regression labels.</summary>
    public float[] Targets { get; init; } = [];

    /// <summary>Multiclass labels as 0-based class indices.</summary>
    public long[] Classes { get; init; } = [];

    public required int Count { get; init; }

    /// <summary>Rows left out because their label was missing (key 0, NaN).</summary>
    public int MissingLabels { get; init; }

    /// <summary>Rows whose features hold a NaN or an infinity (kept: the monitor names them).</summary>
    public int NonFiniteRows { get; init; }

    public static TensorRows Read(IDataView data, string featureColumn, int featureSize, string labelColumn, TorchModuleTask task)
    {
        var features = data.Schema[featureColumn];
        var label = data.Schema[labelColumn];
        var x = new List<float>();
        var targets = new List<float>();
        var classes = new List<long>();
        int missing = 0, nonFinite = 0;
        using var cursor = data.GetRowCursor([features, label]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        ValueGetter<bool>? getBool = task == TorchModuleTask.BinaryClassification ? cursor.GetGetter<bool>(label) : null;
        ValueGetter<uint>? getKey = task == TorchModuleTask.MulticlassClassification ? cursor.GetGetter<uint>(label) : null;
        ValueGetter<float>? getSingle = task == TorchModuleTask.Regression ? cursor.GetGetter<float>(label) : null;
        VBuffer<float> row = default;
        var dense = new float[featureSize];
        bool b = false;
        uint key = 0;
        float y = 0;
        while (cursor.MoveNext())
        {
            switch (task)
            {
                case TorchModuleTask.BinaryClassification:
                    getBool!(ref b);
                    targets.Add(b ? 1f : 0f);
                    break;
                case TorchModuleTask.MulticlassClassification:
                    getKey!(ref key);
                    if (key == 0)
                    {
                        missing++;
                        continue;
                    }

                    classes.Add(key - 1);
                    break;
                default:
                    getSingle!(ref y);
                    if (float.IsNaN(y))
                    {
                        missing++;
                        continue;
                    }

                    targets.Add(y);
                    break;
            }

            getFeatures(ref row);
            row.CopyTo(dense);
            bool finite = true;
            foreach (float v in dense)
            {
                finite &= float.IsFinite(v);
            }

            nonFinite += finite ? 0 : 1;
            x.AddRange(dense);
        }

        return new TensorRows
        {
            Features = x.ToArray(),
            FeatureSize = featureSize,
            Targets = targets.ToArray(),
            Classes = classes.ToArray(),
            Count = task == TorchModuleTask.MulticlassClassification ? classes.Count : targets.Count,
            MissingLabels = missing,
            NonFiniteRows = nonFinite,
        };
    }
}
