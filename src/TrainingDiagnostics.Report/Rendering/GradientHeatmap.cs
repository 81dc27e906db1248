using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The layers x steps matrix behind the heatmap: each column covers a run of consecutive steps and holds, per
/// parameter, the largest gradient norm and the largest update-to-weight ratio in it (so spikes survive), as
/// log10 quantized to hundredths. A non-finite value in a column wins over any finite one.
/// </summary>
internal sealed class GradientHeatmap
{
    /// <summary>Cell code: nothing measured in the column.</summary>
    public const int Missing = int.MinValue;

    /// <summary>Cell code: the value was exactly zero (no log).</summary>
    public const int Zero = -99999;

    /// <summary>Cell code: NaN or infinity.</summary>
    public const int NonFinite = 99999;

    private GradientHeatmap(IReadOnlyList<string> layers, long[] start, long[] end, int[][] gradient, int[][]? update)
    {
        Layers = layers;
        ColumnStart = start;
        ColumnEnd = end;
        Gradient = gradient;
        Update = update;
    }

    public IReadOnlyList<string> Layers { get; }

    public long[] ColumnStart { get; }

    public long[] ColumnEnd { get; }

    /// <summary>[layer][column] codes of the gradient norm.</summary>
    public int[][] Gradient { get; }

    /// <summary>[layer][column] codes of the update ratio, or null when no step recorded one.</summary>
    public int[][]? Update { get; }

    public int ColumnCount => ColumnStart.Length;

    /// <summary>The code of a measured value: log10 in hundredths, or <see cref="Zero"/>, or <see cref="NonFinite"/>.</summary>
    public static int Quantize(double value) =>
        !double.IsFinite(value) ? NonFinite
        : value <= 0 ? Zero
        : (int)Math.Round(Math.Log10(value) * 100, MidpointRounding.AwayFromZero);

    public static GradientHeatmap Build(IReadOnlyList<StepRecord> steps, int maxColumns)
    {
        int n = steps.Count, columns = Math.Min(n, maxColumns);
        LayerRows rows = LayerRows.Of(steps);
        var start = new long[columns];
        var end = new long[columns];
        double[][] gradient = Enumerable.Range(0, rows.Count).Select(_ => NewRow(columns)).ToArray();
        double[][] update = Enumerable.Range(0, rows.Count).Select(_ => NewRow(columns)).ToArray();
        bool anyUpdate = false;
        for (int i = 0; i < n; i++)
        {
            int c = (int)((long)i * columns / n);
            StepRecord step = steps[i];
            if (i == 0 || c != (int)((long)(i - 1) * columns / n))
            {
                start[c] = step.Step;
            }

            end[c] = step.Step;
            IReadOnlyList<LayerStatistics> layers = step.Layers;
            int[] map = rows.Maps[i];
            for (int k = 0; k < map.Length; k++)
            {
                LayerStatistics layer = layers[k];
                Accumulate(gradient[map[k]], c, layer.GradientNorm);
                if (layer.UpdateRatio is not null)
                {
                    anyUpdate = true;
                    Accumulate(update[map[k]], c, layer.UpdateRatio);
                }
            }
        }

        return new GradientHeatmap(rows.Names, start, end, gradient.Select(Codes).ToArray(), anyUpdate ? update.Select(Codes).ToArray() : null);
    }

    private static double[] NewRow(int columns)
    {
        var row = new double[columns];
        Array.Fill(row, -1);
        return row;
    }

    private static void Accumulate(double[] row, int column, double? value)
    {
        if (value is double v)
        {
            row[column] = double.IsFinite(v) ? Math.Max(row[column], Math.Abs(v)) : double.PositiveInfinity;
        }
    }

    private static int[] Codes(double[] row) => row.Select(v => v < 0 ? Missing : Quantize(v)).ToArray();
}
