namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The step axis of a chart: where a step falls across the plot, and round steps for its ticks. Exact for any Int64
/// steps: the arithmetic is done in <see cref="Int128"/>, so a log whose steps reach Int64's limits, or span more than
/// its range (a damaged or hand-written log), still draws, and its tick loop ends.
/// </summary>
internal readonly record struct StepScale
{
    /// <summary>The axis from <paramref name="min"/> to <paramref name="max"/>; a single step gets an axis one step wide.</summary>
    public StepScale(long min, long max)
    {
        if (max <= min)
        {
            (min, max) = min == long.MaxValue ? (min - 1, min) : (min, min + 1);
        }

        Min = min;
        Max = max;
    }

    /// <summary>The first step of the axis.</summary>
    public long Min { get; }

    /// <summary>The last step of the axis (greater than <see cref="Min"/>).</summary>
    public long Max { get; }

    /// <summary>Where <paramref name="step"/> falls: 0 at <see cref="Min"/>, 1 at <see cref="Max"/>.</summary>
    public double Share(long step) => (double)((Int128)step - Min) / (double)((Int128)Max - Min);

    /// <summary>Round steps within the axis: multiples of 1, 2 or 5 times a power of ten, about <see cref="ChartConstants.TickCount"/> of them.</summary>
    public IEnumerable<long> Ticks()
    {
        double raw = Math.Max(1, (double)((Int128)Max - Min) / ChartConstants.TickCount), magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / magnitude;
        var every = (Int128)Math.Max(1, ChartConstants.TickMultiple(norm) * magnitude);
        Int128 first = Int128.DivRem(Min, every) is var (quotient, remainder) && remainder > 0 ? (quotient + 1) * every : quotient * every;
        for (Int128 step = first; step <= Max; step += every)
        {
            yield return (long)step;
        }
    }
}
