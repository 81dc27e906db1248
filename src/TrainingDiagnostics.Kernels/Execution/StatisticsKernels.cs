using ILGPU;

namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// Statistics of float buffers: per-thread partial sums written to a small buffer and combined on the
/// host (a tree reduction in ILGPU.Algorithms is ~2 s per 10^6 elements on the CPU accelerator), and a
/// fixed-bin histogram with atomic counters. The element rules are shared with <see cref="ParallelExecutor"/>.
/// </summary>
internal static class StatisticsKernels
{
    /// <summary>Doubles per thread in the partials buffer: NaN, +∞, −∞, Σx², min, max.</summary>
    public const int PartialWidth = 6;

    /// <summary>
    /// The histogram slot of a value: 0..bins−1 for a bin, bins for underflow, bins + 1 for overflow,
    /// bins + 2 for NaN/±∞. bin = floor((x − min)·scale) with scale = bins/(max − min); x = max goes to
    /// the last bin.
    /// </summary>
    public static int Slot(float value, double min, double max, double scale, int bins)
    {
        double x = value;
        if (double.IsNaN(x) || double.IsInfinity(x))
        {
            return bins + 2;
        }

        if (x < min)
        {
            return bins;
        }

        if (x > max)
        {
            return bins + 1;
        }

        int b = (int)((x - min) * scale);
        return b >= bins ? bins - 1 : b;
    }

    public static void StatisticsKernel(Index1D thread, ArrayView<float> values, ArrayView<double> partials, LaunchPlan plan)
    {
        double nan = 0, positive = 0, negative = 0, sumOfSquares = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int j = 0; j < plan.PerThread; j++)
        {
            long i = plan.Index(thread, j);
            if (i >= plan.Count)
            {
                break;
            }

            double x = values[i];
            if (double.IsNaN(x))
            {
                nan += 1;
            }
            else if (x == double.PositiveInfinity)
            {
                positive += 1;
            }
            else if (x == double.NegativeInfinity)
            {
                negative += 1;
            }
            else
            {
                sumOfSquares += x * x;
                min = x < min ? x : min;
                max = x > max ? x : max;
            }
        }

        long o = (long)thread.X * PartialWidth;
        partials[o] = nan;
        partials[o + 1] = positive;
        partials[o + 2] = negative;
        partials[o + 3] = sumOfSquares;
        partials[o + 4] = min;
        partials[o + 5] = max;
    }

    public static void HistogramKernel(
        Index1D thread, ArrayView<float> values, ArrayView<int> slots, double min, double max, double scale, int bins, LaunchPlan plan)
    {
        for (int j = 0; j < plan.PerThread; j++)
        {
            long i = plan.Index(thread, j);
            if (i >= plan.Count)
            {
                return;
            }

            Atomic.Add(ref slots[Slot(values[i], min, max, scale, bins)], 1);
        }
    }
}
