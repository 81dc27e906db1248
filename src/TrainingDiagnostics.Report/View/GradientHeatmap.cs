namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The layers x steps matrix behind the heatmap (built by <see cref="Folding.ParameterFold"/>): each column covers a run of consecutive steps and holds, per
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

    /// <summary>Codes per decade: a finite positive value's code is round(log10(value) x this).</summary>
    public const int CodesPerDecade = 100;

    public GradientHeatmap(IReadOnlyList<string> layers, long[] start, long[] end, int[][] gradient, int[][]? update)
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
        : (int)Math.Round(Math.Log10(value) * CodesPerDecade, MidpointRounding.AwayFromZero);
}
