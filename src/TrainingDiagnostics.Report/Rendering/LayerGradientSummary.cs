using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>One row of the per-parameter table: a parameter's gradient norms (and update ratios) summarized over the run.</summary>
internal sealed record LayerGradientSummary(
    string Name,
    int Recorded,
    int NonFinite,
    double? First,
    double? Last,
    double? Min,
    double? Max,
    double? Median,
    double? LastWeightNorm,
    double? MedianUpdateRatio)
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<StepRecord>, IReadOnlyList<LayerGradientSummary>> Cache = [];

    /// <summary>
    /// Summarizes every parameter, in the order the parameters first appear in the run: one pass over the records,
    /// cached for the run's lifetime (the findings rules and the report share it).
    /// </summary>
    public static IReadOnlyList<LayerGradientSummary> FromRun(DiagnosticsRun run) => Cache.GetValue(run.Steps, _ => Compute(run));

    private static IReadOnlyList<LayerGradientSummary> Compute(DiagnosticsRun run)
    {
        LayerRows rows = LayerRows.Of(run.Steps);
        int count = rows.Count;
        var recorded = new int[count];
        var nonFinite = new int[count];
        var first = new double?[count];
        var last = new double?[count];
        var lastWeight = new double?[count];
        var finite = new List<double>[count];
        var ratios = new List<double>[count];
        for (int r = 0; r < count; r++)
        {
            finite[r] = new List<double>(run.Steps.Count);
            ratios[r] = [];
        }

        for (int i = 0; i < run.Steps.Count; i++)
        {
            IReadOnlyList<LayerStatistics> layers = run.Steps[i].Layers;
            int[] map = rows.Maps[i];
            for (int k = 0; k < map.Length; k++)
            {
                LayerStatistics layer = layers[k];
                int r = map[k];
                if (layer.GradientNorm is double g)
                {
                    recorded[r]++;
                    first[r] ??= g;
                    last[r] = g;
                    if (double.IsFinite(g))
                    {
                        finite[r].Add(g);
                    }
                    else
                    {
                        nonFinite[r]++;
                    }
                }

                if (layer.UpdateRatio is double u && double.IsFinite(u))
                {
                    ratios[r].Add(u);
                }

                if (layer.WeightNorm is not null)
                {
                    lastWeight[r] = layer.WeightNorm;
                }
            }
        }

        var summaries = new List<LayerGradientSummary>(count);
        for (int r = 0; r < count; r++)
        {
            Span<double> values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(finite[r]);
            double? min = values.Length == 0 ? null : MinOf(values), max = values.Length == 0 ? null : MaxOf(values);
            summaries.Add(new LayerGradientSummary(rows.Names[r], recorded[r], nonFinite[r], first[r], last[r], min, max,
                Analysis.Median.Of(values), lastWeight[r], Analysis.Median.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ratios[r]))));
        }

        return summaries;
    }

    private static double MinOf(Span<double> values)
    {
        double m = double.PositiveInfinity;
        foreach (double v in values)
        {
            m = Math.Min(m, v);
        }

        return m;
    }

    private static double MaxOf(Span<double> values)
    {
        double m = double.NegativeInfinity;
        foreach (double v in values)
        {
            m = Math.Max(m, v);
        }

        return m;
    }
}
