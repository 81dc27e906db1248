using System.Runtime.CompilerServices;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Analysis;

/// <summary>
/// Numbers the parameters of a run (in order of first appearance) and maps each step's <see cref="StepRecord.Layers"/>
/// positions to those numbers, so that per-parameter passes index arrays instead of hashing names: 100,000 steps x
/// 200 parameters is 20 million records. Steps that list the same parameters as the step before share its map.
/// Built once per run and cached for the run's lifetime.
/// </summary>
internal sealed class LayerRows
{
    private static readonly ConditionalWeakTable<IReadOnlyList<StepRecord>, LayerRows> Cache = [];

    private LayerRows(IReadOnlyList<string> names, int[][] maps)
    {
        Names = names;
        Maps = maps;
    }

    /// <summary>The parameter names, by row.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary><c>Maps[i][k]</c> is the row of <c>steps[i].Layers[k]</c>.</summary>
    public int[][] Maps { get; }

    public int Count => Names.Count;

    public static LayerRows Of(IReadOnlyList<StepRecord> steps) => Cache.GetValue(steps, Build);

    private static LayerRows Build(IReadOnlyList<StepRecord> steps)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var maps = new int[steps.Count][];
        int[] previousMap = [];
        IReadOnlyList<LayerStatistics> previous = [];
        for (int i = 0; i < steps.Count; i++)
        {
            IReadOnlyList<LayerStatistics> layers = steps[i].Layers;
            bool same = layers.Count == previous.Count;
            for (int k = 0; same && k < layers.Count; k++)
            {
                same = string.Equals(layers[k].Name, previous[k].Name, StringComparison.Ordinal);
            }

            if (!same)
            {
                previousMap = new int[layers.Count];
                for (int k = 0; k < layers.Count; k++)
                {
                    string name = layers[k].Name;
                    if (!index.TryGetValue(name, out int row))
                    {
                        row = names.Count;
                        index.Add(name, row);
                        names.Add(name);
                    }

                    previousMap[k] = row;
                }
            }

            maps[i] = previousMap;
            previous = layers;
        }

        return new LayerRows(names, maps);
    }
}
