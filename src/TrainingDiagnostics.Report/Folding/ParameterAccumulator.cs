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

    // Motion: whether the parameter moved (see View.ParameterMotion).
    public long FirstStep = -1;
    public int UpdateRatioCount;
    public int PositiveUpdates;
    public long? ZeroRunStart;
    public int ZeroRunLength;
    public int GradientsDuringZeroRun;
    public int PositiveGradientsDuringZeroRun;
    public int PositiveGradients;
    public int WeightNormCount;
    public double FirstWeightNorm = double.NaN;
    public bool WeightNormConstant = true;

    /// <summary>
    /// <see cref="Add"/> for a step with a gradient norm only (no weight norm, no update ratio): the same state, fewer
    /// tests. Returns whether the norm is non-finite.
    /// </summary>
    public bool AddGradient(long step, double? gradient, int bucket)
    {
        if (FirstStep < 0)
        {
            FirstStep = step;
        }

        if (gradient is not double g)
        {
            return false;
        }

        Recorded++;
        First ??= g;
        Last = g;
        if (double.IsFinite(g))
        {
            int positive = g > 0 ? 1 : 0;
            PositiveGradients += positive;
            if (ZeroRunStart is not null)
            {
                GradientsDuringZeroRun++;
                PositiveGradientsDuringZeroRun += positive;
            }

            Min = Math.Min(Min, g);
            Max = Math.Max(Max, g);
            Gradients.Add(g);
            Heat[bucket] = Math.Max(Heat[bucket], Math.Abs(g));
            return false;
        }

        NonFinite++;
        Heat[bucket] = double.PositiveInfinity;
        return true;
    }

    public void Add(long step, double? gradient, double? weight, double? update, int bucket)
    {
        if (FirstStep < 0)
        {
            FirstStep = step;
        }

        if (update is double ratio && double.IsFinite(ratio))
        {
            UpdateRatioCount++;
            if (ratio > 0)
            {
                PositiveUpdates++;
                (ZeroRunStart, ZeroRunLength, GradientsDuringZeroRun, PositiveGradientsDuringZeroRun) = (null, 0, 0, 0);
            }
            else
            {
                ZeroRunStart ??= step;
                ZeroRunLength++;
            }
        }

        if (gradient is double gradientNorm && double.IsFinite(gradientNorm))
        {
            PositiveGradients += gradientNorm > 0 ? 1 : 0;
            if (ZeroRunStart is not null)
            {
                GradientsDuringZeroRun++;
                PositiveGradientsDuringZeroRun += gradientNorm > 0 ? 1 : 0;
            }
        }

        if (weight is double w && double.IsFinite(w))
        {
            WeightNormCount++;
            FirstWeightNorm = WeightNormCount == 1 ? w : FirstWeightNorm;
            WeightNormConstant &= w.Equals(FirstWeightNorm);
        }

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
