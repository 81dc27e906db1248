using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report;

/// <summary>One row of the gradient-norm table: a parameter's gradient norms summarized over the run.</summary>
internal sealed record LayerGradientSummary(
    string Name,
    int Recorded,
    int NonFinite,
    double? First,
    double? Last,
    double? Min,
    double? Max,
    double? Median,
    double? LastWeightNorm)
{
    /// <summary>Summarizes every parameter, in the order the parameters first appear in the run.</summary>
    public static IReadOnlyList<LayerGradientSummary> FromRun(DiagnosticsRun run)
    {
        var order = new List<string>();
        var norms = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var lastWeight = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (StepRecord step in run.Steps)
        {
            foreach (LayerStatistics layer in step.Layers)
            {
                if (!norms.TryGetValue(layer.Name, out List<double>? list))
                {
                    list = [];
                    norms.Add(layer.Name, list);
                    order.Add(layer.Name);
                }

                if (layer.GradientNorm is double g)
                {
                    list.Add(g);
                }

                if (layer.WeightNorm is not null)
                {
                    lastWeight[layer.Name] = layer.WeightNorm;
                }
            }
        }

        return order.Select(name => Summarize(name, norms[name], lastWeight.GetValueOrDefault(name))).ToList();
    }

    private static LayerGradientSummary Summarize(string name, List<double> values, double? lastWeight)
    {
        double[] finite = values.Where(double.IsFinite).Order().ToArray();
        double? median = finite.Length == 0
            ? null
            : finite.Length % 2 == 1
                ? finite[finite.Length / 2]
                : (finite[(finite.Length / 2) - 1] + finite[finite.Length / 2]) / 2;
        return new LayerGradientSummary(
            name,
            values.Count,
            values.Count - finite.Length,
            values.Count == 0 ? null : values[0],
            values.Count == 0 ? null : values[^1],
            finite.Length == 0 ? null : finite[0],
            finite.Length == 0 ? null : finite[^1],
            median,
            lastWeight);
    }
}
