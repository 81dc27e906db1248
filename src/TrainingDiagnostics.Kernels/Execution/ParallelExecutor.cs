using System.Numerics;
using TrainingDiagnostics.Kernels.Lanes;

namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// The CPU backend: the same element code as the kernels (<see cref="PointwiseKernels"/>), in a
/// <see cref="Parallel"/> loop over contiguous chunks. Statistics use <see cref="Vector{T}"/> lanes,
/// where SIMD pays (simple compares and multiply-adds over floats). A function that also implements
/// <see cref="ILaneFunction"/> is evaluated on <see cref="JetLanes"/>, several points per call; any
/// other runs on scalar <see cref="Jet"/>s (its <see cref="IUnaryFunction.Invoke"/> is written for one point).
/// </summary>
internal sealed unsafe class ParallelExecutor : IPointwiseExecutor
{
    // Below this many elements a parallel loop costs more than it saves.
    private const int SequentialBelow = 2048;

    public string DeviceName { get; } =
        $"CPU: Parallel.For on {Environment.ProcessorCount} cores ({Vector<float>.Count} float lanes for statistics)";

    public void Derivatives<TFunction>(ReadOnlySpan<double> points, int maxOrder, double[][] result)
        where TFunction : struct, IUnaryFunction
    {
        var factorials = new double[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++)
        {
            factorials[k] = PointwiseKernels.Factorial(k);
        }

        // The lane jet with the smallest capacity that holds maxOrder: struct copies (every operator argument
        // and result) move the whole capacity, and were most of the lane path's time when it was always 9 vectors.
        var lanes = maxOrder <= 1 ? LanePath<TFunction>.Order1 : maxOrder <= 4 ? LanePath<TFunction>.Order4 : LanePath<TFunction>.Order8;
        fixed (double* p = points)
        {
            nint address = (nint)p;
            ForChunks(points.Length, (start, end) =>
            {
                if (lanes is not null)
                {
                    start = lanes(address, start, end, maxOrder, result, factorials);
                }

                var x = (double*)address;
                for (int i = start; i < end; i++)
                {
                    var y = PointwiseKernels.Unary<TFunction>(x[i], maxOrder);
                    for (int k = 0; k <= maxOrder; k++)
                    {
                        result[k][i] = y[k] * factorials[k];
                    }
                }
            });
        }
    }

    /// <summary>
    /// Evaluates whole SIMD vectors of a chunk with <see cref="ILaneFunction"/>; returns where the scalar
    /// tail begins. The same products by k! as the scalar loop, so both paths give identical numbers.
    /// </summary>
    private delegate int LaneChunk(nint points, int start, int end, int maxOrder, double[][] result, double[] factorials);

    /// <summary>The lane paths of a function type, or null when it does not implement ILaneFunction.</summary>
    private static class LanePath<TFunction>
        where TFunction : struct, IUnaryFunction
    {
        // Bound once per type through reflection, because ILaneFunction is not part of TFunction's constraint.
        public static readonly LaneChunk? Order1 = Bind(typeof(JetLanes1));
        public static readonly LaneChunk? Order4 = Bind(typeof(JetLanes4));
        public static readonly LaneChunk? Order8 = Bind(typeof(JetLanes));

        private static LaneChunk? Bind(Type lanes)
            => Vector.IsHardwareAccelerated && typeof(ILaneFunction).IsAssignableFrom(typeof(TFunction))
                ? typeof(ParallelExecutor)
                    .GetMethod(nameof(EvaluateLanes), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(typeof(TFunction), lanes)
                    .CreateDelegate<LaneChunk>()
                : null;
    }

    private static int EvaluateLanes<TFunction, TLanes>(nint points, int start, int end, int maxOrder, double[][] result, double[] factorials)
        where TFunction : struct, IUnaryFunction, ILaneFunction
        where TLanes : struct, ILaneJet<TLanes>
    {
        var x = (double*)points;
        int width = Vector<double>.Count;
        int i = start;
        for (; i <= end - width; i += width)
        {
            var y = default(TFunction).Invoke(TLanes.Variable(Vector.Load(x + i), maxOrder));
            for (int k = 0; k <= maxOrder; k++)
            {
                // Beyond the result's order (a function may lower it) the coefficient is unknown: NaN, as Jet's y[k].
                var c = k <= y.Order ? y.At(k) : new Vector<double>(double.NaN);
                // 0! = 1! = 1: no product needed (the scalar path's product by 1 is exact, so both agree).
                (k <= 1 ? c : c * factorials[k]).CopyTo(result[k], i);
            }
        }

        return i;
    }

    public void Directional<TFunction>(
        ReadOnlySpan<double> rows, int arity, int order, double[] values, double[] gradient, double[] second)
        where TFunction : struct, IMultivariateFunction
    {
        int count = rows.Length / arity;
        fixed (double* p = rows)
        {
            nint address = (nint)p;
            ForChunks(count, (start, end) =>
            {
                var x = (double*)address;
                for (int row = start; row < end; row++)
                {
                    for (int d = 0; d < arity; d++)
                    {
                        var args = JetArgs.Create(arity, d, order);
                        for (int i = 0; i < arity; i++)
                        {
                            args.Set(i, x[(long)row * arity + i]);
                        }

                        var y = PointwiseKernels.Directional<TFunction>(args);
                        if (d == 0)
                        {
                            values[row] = y.Value;
                        }

                        long e = (long)row * arity + d;
                        gradient[e] = y[1];
                        if (order >= 2)
                        {
                            second[e] = 2 * y[2];
                        }
                    }
                }
            });
        }
    }

    public StatisticsPartial Statistics(ReadOnlySpan<float> values)
    {
        var total = StatisticsPartial.Empty;
        var gate = new object();
        fixed (float* p = values)
        {
            nint address = (nint)p;
            ForChunks(values.Length, (start, end) =>
            {
                var part = StatisticsOf(new ReadOnlySpan<float>((float*)address + start, end - start));
                lock (gate)
                {
                    total.Merge(part);
                }
            });
        }

        return total;
    }

    /// <summary>One chunk: Vector{float} lanes for the bulk, scalar code for the tail.</summary>
    private static StatisticsPartial StatisticsOf(ReadOnlySpan<float> values)
    {
        var part = StatisticsPartial.Empty;
        int lanes = Vector<float>.Count;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= lanes)
        {
            var positiveInfinity = new Vector<float>(float.PositiveInfinity);
            var negativeInfinity = new Vector<float>(float.NegativeInfinity);
            var nan = Vector<int>.Zero;
            var positive = Vector<int>.Zero;
            var negative = Vector<int>.Zero;
            var min = positiveInfinity;
            var max = negativeInfinity;
            var squares = Vector<double>.Zero;
            // Lane counters are ints that gain at most 1 per iteration: a chunk (an int-sized span) cannot overflow them.
            for (; i <= values.Length - lanes; i += lanes)
            {
                var v = new Vector<float>(values.Slice(i, lanes));
                var isNumber = Vector.Equals(v, v);
                var isPositive = Vector.Equals(v, positiveInfinity);
                var isNegative = Vector.Equals(v, negativeInfinity);
                var finite = Vector.LessThan(Vector.Abs(v), positiveInfinity);
                nan -= ~isNumber;
                positive -= isPositive;
                negative -= isNegative;
                min = Vector.Min(min, Vector.ConditionalSelect(finite, v, positiveInfinity));
                max = Vector.Max(max, Vector.ConditionalSelect(finite, v, negativeInfinity));
                var finiteValues = Vector.ConditionalSelect(finite, v, Vector<float>.Zero);
                Vector.Widen(finiteValues, out Vector<double> low, out Vector<double> high);
                squares += low * low + high * high;
            }

            part.NaN += Sum(nan);
            part.PositiveInfinity += Sum(positive);
            part.NegativeInfinity += Sum(negative);
            part.SumOfSquares += Vector.Sum(squares);
            for (int l = 0; l < lanes; l++)
            {
                part.Min = Math.Min(part.Min, min[l]);
                part.Max = Math.Max(part.Max, max[l]);
            }
        }

        for (; i < values.Length; i++)
        {
            double x = values[i];
            if (double.IsNaN(x))
            {
                part.NaN++;
            }
            else if (double.IsPositiveInfinity(x))
            {
                part.PositiveInfinity++;
            }
            else if (double.IsNegativeInfinity(x))
            {
                part.NegativeInfinity++;
            }
            else
            {
                part.SumOfSquares += x * x;
                part.Min = Math.Min(part.Min, x);
                part.Max = Math.Max(part.Max, x);
            }
        }

        return part;
    }

    private static long Sum(Vector<int> v)
    {
        long s = 0;
        for (int l = 0; l < Vector<int>.Count; l++)
        {
            s += v[l];
        }

        return s;
    }

    public void Histogram(ReadOnlySpan<float> values, double min, double max, int bins, long[] slots)
    {
        double scale = bins / (max - min);
        fixed (float* p = values)
        {
            nint address = (nint)p;
            ForChunks(values.Length, (start, end) =>
            {
                var x = (float*)address;
                var local = new long[bins + 3];
                for (int i = start; i < end; i++)
                {
                    local[StatisticsKernels.Slot(x[i], min, max, scale, bins)]++;
                }

                lock (slots)
                {
                    for (int s = 0; s < local.Length; s++)
                    {
                        slots[s] += local[s];
                    }
                }
            });
        }
    }

    // Holds nothing but managed memory.
    public void Dispose()
    {
    }

    /// <summary>Runs body over [0, count) in contiguous chunks, a few per core (sequentially when small).</summary>
    private static void ForChunks(int count, Action<int, int> body)
    {
        if (count < SequentialBelow)
        {
            body(0, count);
            return;
        }

        // A few chunks per core so that one slow core does not hold the others back.
        int chunks = Math.Min(count / (SequentialBelow / 2), Environment.ProcessorCount * 4);
        int size = (count + chunks - 1) / chunks;
        Parallel.For(0, chunks, c =>
        {
            int start = c * size;
            int end = Math.Min(count, start + size);
            if (start < end)
            {
                body(start, end);
            }
        });
    }
}
