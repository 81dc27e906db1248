namespace TrainingDiagnostics.Report.Folding;

/// <summary>One parameter's running summary: counts, first/last/min/max of its gradient norm, medians by sketch, and its heatmap buckets.</summary>
internal sealed class ParameterAccumulator(string name, int buckets)
{
    public string Name { get; } = name;

    public int Recorded;
    public int NonFinite;
    public double? First;
    public double? Last;
    public double Min = double.PositiveInfinity;
    public double Max = double.NegativeInfinity;
    public double? LastWeight;
    public readonly QuantileSketch Gradients = new();
    public readonly QuantileSketch Ratios = new();

    /// <summary>Per heatmap bucket: the largest |gradient norm| (+∞ for a non-finite one; -1 when none).</summary>
    public readonly double[] Heat = NewBuckets(buckets);

    /// <summary>Per heatmap bucket: the largest update ratio, or null until one is recorded.</summary>
    public double[]? UpdateHeat;

    public void Add(double? gradient, double? weight, double? update, int bucket)
    {
        if (gradient is double g)
        {
            Recorded++;
            First ??= g;
            Last = g;
            if (double.IsFinite(g))
            {
                Min = Math.Min(Min, g);
                Max = Math.Max(Max, g);
                Gradients.Add(g);
                Heat[bucket] = Math.Max(Heat[bucket], Math.Abs(g));
            }
            else
            {
                NonFinite++;
                Heat[bucket] = double.PositiveInfinity;
            }
        }

        if (update is double u)
        {
            if (double.IsFinite(u))
            {
                Ratios.Add(u);
            }

            UpdateHeat ??= NewBuckets(Heat.Length);
            UpdateHeat[bucket] = double.IsFinite(u) ? Math.Max(UpdateHeat[bucket], Math.Abs(u)) : double.PositiveInfinity;
        }

        if (weight is not null)
        {
            LastWeight = weight;
        }
    }

    /// <summary>Halves the buckets: bucket j becomes the larger of buckets 2j and 2j+1.</summary>
    public void Compact()
    {
        Halve(Heat);
        if (UpdateHeat is not null)
        {
            Halve(UpdateHeat);
        }
    }

    public static double[] NewBuckets(int count)
    {
        var row = new double[count];
        Array.Fill(row, -1);
        return row;
    }

    private static void Halve(double[] row)
    {
        int half = row.Length / 2;
        for (int j = 0; j < half; j++)
        {
            row[j] = Math.Max(row[2 * j], row[(2 * j) + 1]);
        }

        Array.Fill(row, -1, half, row.Length - half);
    }
}
