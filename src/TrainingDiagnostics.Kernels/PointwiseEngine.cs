using ILGPU.Runtime;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// Derivatives of any order (up to <see cref="Jet.MaxOrder"/>) of pointwise functions at many points, by
/// pushing a <see cref="Jet"/> through the function: one forward pass per point, no graph, one point per
/// GPU thread. Also statistics of float buffers. Runs on a CUDA or OpenCL GPU through ILGPU kernels, on
/// the CPU with a Parallel.For executor, or on ILGPU's CPU accelerator (for testing the kernels).
/// </summary>
/// <remarks>
/// <para>Compiled kernels are cached per function type (the first call with a new type costs 0.1-0.6 s of
/// ILGPU compilation) and device buffers are reused across calls, so keep one engine and call it often.
/// A function that cannot be compiled into a kernel gives a <see cref="NotSupportedException"/> and
/// leaves the engine usable.</para>
/// <para>Calls are serialized: one engine runs one call at a time (an accelerator has one stream here).</para>
/// </remarks>
public sealed class PointwiseEngine : IDisposable
{
    private readonly IPointwiseExecutor _executor;
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>
    /// Opens the device. <see cref="AcceleratorPreference.Auto"/> takes a CUDA GPU, then an OpenCL GPU,
    /// then the CPU executor; an explicit preference that is not present is an error. Opening a GPU or
    /// the CPU accelerator starts ILGPU (~0.5 s the first time in a process); the CPU executor starts nothing.
    /// </summary>
    /// <param name="preference">The device to use.</param>
    /// <exception cref="InvalidOperationException">The requested kind of device is not present.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The preference is not a defined value.</exception>
    public PointwiseEngine(AcceleratorPreference preference = AcceleratorPreference.Auto)
    {
        Preference = preference;
        _executor = preference switch
        {
            AcceleratorPreference.Auto =>
                (IPointwiseExecutor?)TryOpen(AcceleratorType.Cuda, gpuOnly: true, out _)
                ?? (IPointwiseExecutor?)TryOpen(AcceleratorType.OpenCL, gpuOnly: true, out _)
                ?? new ParallelExecutor(),
            AcceleratorPreference.Cuda => Open(AcceleratorType.Cuda, "CUDA",
                "Install the NVIDIA driver (ILGPU needs no CUDA toolkit), or use AcceleratorPreference.Auto, which falls back to the CPU."),
            AcceleratorPreference.OpenCL => Open(AcceleratorType.OpenCL, "OpenCL",
                "Install an OpenCL driver (ICD) for your device, or use AcceleratorPreference.Auto, which falls back to the CPU."),
            AcceleratorPreference.Cpu => new ParallelExecutor(),
            AcceleratorPreference.CpuAccelerator => Open(AcceleratorType.CPU, "ILGPU CPU accelerator",
                "This should not happen: ILGPU always offers its CPU accelerator. Use AcceleratorPreference.Cpu instead."),
            _ => throw new ArgumentOutOfRangeException(
                nameof(preference), preference,
                $"Unknown accelerator preference {(int)preference}. Use one of: {string.Join(", ", Enum.GetNames<AcceleratorPreference>())}."),
        };
    }

    /// <summary>The preference the engine was opened with.</summary>
    public AcceleratorPreference Preference { get; }

    /// <summary>
    /// The device the engine runs on, for example "NVIDIA H100 (CUDA via ILGPU)" or
    /// "CPU: Parallel.For on 8 cores (...)".
    /// </summary>
    public string DeviceName => _executor.DeviceName;

    /// <summary>True when the engine runs ILGPU kernels (a GPU or the CPU accelerator), false for the CPU executor.</summary>
    public bool UsesKernels => _executor is AcceleratorExecutor;

    internal IPointwiseExecutor Executor => _executor;

    /// <summary>
    /// The derivatives of f at every point: <c>result[k][i] = f^(k)(points[i])</c> for k = 0..maxOrder
    /// (true derivatives, not Taylor coefficients; <c>result[0]</c> is f itself).
    /// </summary>
    /// <remarks>
    /// Cost: one jet evaluation of f per point, O(maxOrder²) per elementary operation, plus one copy of
    /// the points to the device and of (maxOrder + 1)·n results back. The first call per function type
    /// compiles a kernel.
    /// </remarks>
    /// <typeparam name="TFunction">The function, a struct implementing <see cref="IUnaryFunction"/>.</typeparam>
    /// <param name="points">The points x_i (any length, including 0).</param>
    /// <param name="maxOrder">The highest derivative wanted, 0..<see cref="Jet.MaxOrder"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxOrder"/> is outside 0..MaxOrder.</exception>
    /// <exception cref="NotSupportedException">f cannot be compiled into an ILGPU kernel.</exception>
    public double[][] Derivatives<TFunction>(ReadOnlySpan<double> points, int maxOrder)
        where TFunction : struct, IUnaryFunction
    {
        CheckOrder(maxOrder);
        var result = new double[maxOrder + 1][];
        for (int k = 0; k <= maxOrder; k++)
        {
            // Every executor writes every entry: zeroing the arrays first cost a pass over 8 bytes per entry.
            result[k] = GC.AllocateUninitializedArray<double>(points.Length);
        }

        Run<TFunction>(points, result);
        return result;
    }

    /// <summary>
    /// <see cref="Derivatives{TFunction}(ReadOnlySpan{double}, int)"/> into arrays the caller keeps:
    /// <c>destination[k][i] = f^(k)(points[i])</c> for k = 0..destination.Length − 1. Calling it again with the
    /// same arrays allocates nothing (on a large input, allocating fresh result arrays costs as much as a
    /// cheap function's evaluation).
    /// </summary>
    /// <typeparam name="TFunction">The function, a struct implementing <see cref="IUnaryFunction"/>.</typeparam>
    /// <param name="points">The points x_i.</param>
    /// <param name="destination">maxOrder + 1 arrays (1..<see cref="Jet.MaxOrder"/> + 1 of them), each of the length of <paramref name="points"/>.</param>
    /// <exception cref="ArgumentException">The destination has a wrong count of arrays or an array of the wrong length.</exception>
    /// <exception cref="NotSupportedException">f cannot be compiled into an ILGPU kernel.</exception>
    public void Derivatives<TFunction>(ReadOnlySpan<double> points, double[][] destination)
        where TFunction : struct, IUnaryFunction
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Length is < 1 or > Jet.MaxOrder + 1)
        {
            throw new ArgumentException(
                $"destination must hold maxOrder + 1 arrays, one per derivative order 0..maxOrder (1 to {Jet.MaxOrder + 1} arrays), " +
                $"but it holds {destination.Length}.",
                nameof(destination));
        }

        for (int k = 0; k < destination.Length; k++)
        {
            if (destination[k]?.Length != points.Length)
            {
                throw new ArgumentException(
                    $"destination[{k}] must have one entry per point ({points.Length}), but it has " +
                    $"{(destination[k] is null ? "none (null)" : destination[k].Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}. " +
                    $"Allocate each array as new double[points.Length].",
                    nameof(destination));
            }
        }

        Run<TFunction>(points, destination);
    }

    private void Run<TFunction>(ReadOnlySpan<double> points, double[][] result)
        where TFunction : struct, IUnaryFunction
    {
        if (points.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _executor.Derivatives<TFunction>(points, result.Length - 1, result);
        }
    }

    /// <summary>
    /// The float version of <see cref="Derivatives{TFunction}(ReadOnlySpan{double}, int)"/>: the jets are
    /// still computed in double, and the results rounded to float once at the end.
    /// </summary>
    /// <typeparam name="TFunction">The function, a struct implementing <see cref="IUnaryFunction"/>.</typeparam>
    /// <param name="points">The points x_i.</param>
    /// <param name="maxOrder">The highest derivative wanted, 0..<see cref="Jet.MaxOrder"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxOrder"/> is outside 0..MaxOrder.</exception>
    public float[][] Derivatives<TFunction>(ReadOnlySpan<float> points, int maxOrder)
        where TFunction : struct, IUnaryFunction
    {
        CheckOrder(maxOrder);
        var wide = new double[points.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            wide[i] = points[i];
        }

        var derivatives = Derivatives<TFunction>(wide, maxOrder);
        var result = new float[derivatives.Length][];
        for (int k = 0; k < derivatives.Length; k++)
        {
            result[k] = Array.ConvertAll(derivatives[k], d => (float)d);
        }

        return result;
    }

    /// <summary>
    /// Gradient, Hessian diagonal and Laplacian of f: ℝⁿ → ℝ at every row, by directional jets: one jet
    /// per coordinate direction per row (order 1 for value and gradient, order 2 when second derivatives
    /// are asked for).
    /// </summary>
    /// <remarks>
    /// Cost: n·Arity jet evaluations of f. Mixed partials (off-diagonal Hessian) are not computed; use
    /// <c>TrainingDiagnostics.Autodiff.Hessian</c> for those.
    /// </remarks>
    /// <typeparam name="TFunction">The function, a struct implementing <see cref="IMultivariateFunction"/>.</typeparam>
    /// <param name="rows">n points of dimension Arity, row-major (point r is rows[r·Arity .. r·Arity + Arity − 1]).</param>
    /// <param name="what">The quantities to compute.</param>
    /// <exception cref="ArgumentException">The length of rows is not a multiple of Arity, Arity is out of range, or nothing was asked for.</exception>
    /// <exception cref="NotSupportedException">f cannot be compiled into an ILGPU kernel.</exception>
    public MultivariateResult Analyze<TFunction>(ReadOnlySpan<double> rows, DerivativeSet what)
        where TFunction : struct, IMultivariateFunction
    {
        int arity = default(TFunction).Arity;
        string name = typeof(TFunction).Name;
        if (arity is < 1 or > JetArgs.MaxArity)
        {
            throw new ArgumentException(
                $"{name}.Arity must be 1..{JetArgs.MaxArity}, but it is {arity}. " +
                "Functions of more inputs need TrainingDiagnostics.Autodiff (TorchSharp) instead.",
                nameof(TFunction));
        }

        if (rows.Length % arity != 0)
        {
            throw new ArgumentException(
                $"rows must hold whole points of {arity} coordinates ({name}.Arity), row-major, but its length " +
                $"{rows.Length} is not a multiple of {arity} ({rows.Length / arity} whole rows and {rows.Length % arity} " +
                $"values left over). Pass n·{arity} values.",
                nameof(rows));
        }

        if ((what & DerivativeSet.All) == DerivativeSet.None || (what & ~DerivativeSet.All) != 0)
        {
            throw new ArgumentException(
                $"Ask for at least one of Value, Gradient, HessianDiagonal, Laplacian (combined with |), but {what} came.",
                nameof(what));
        }

        int count = rows.Length / arity;
        bool secondOrder = (what & (DerivativeSet.HessianDiagonal | DerivativeSet.Laplacian)) != 0;
        int order = secondOrder ? 2 : 1;
        var values = new double[count];
        var gradient = new double[rows.Length];
        var second = secondOrder ? new double[rows.Length] : [];
        if (count > 0)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _executor.Directional<TFunction>(rows, arity, order, values, gradient, second);
            }
        }

        double[]? laplacian = null;
        if ((what & DerivativeSet.Laplacian) != 0)
        {
            laplacian = new double[count];
            for (int r = 0; r < count; r++)
            {
                double sum = 0;
                for (int d = 0; d < arity; d++)
                {
                    sum += second[r * arity + d];
                }

                laplacian[r] = sum;
            }
        }

        return new MultivariateResult(
            count, arity, what,
            (what & DerivativeSet.Value) != 0 ? values : null,
            (what & DerivativeSet.Gradient) != 0 ? gradient : null,
            (what & DerivativeSet.HessianDiagonal) != 0 ? second : null,
            laplacian);
    }

    /// <summary>
    /// Counts of NaN and ±∞, the sum of squares and the minimum and maximum of the finite values of a float
    /// buffer, in one pass (SIMD on the CPU executor; per-thread partials combined on the host for kernels).
    /// </summary>
    /// <param name="values">The buffer (any length).</param>
    public BufferStatistics Statistics(ReadOnlySpan<float> values)
    {
        if (values.Length == 0)
        {
            return StatisticsPartial.Empty.ToStatistics(0);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _executor.Statistics(values).ToStatistics(values.Length);
        }
    }

    /// <summary>
    /// A histogram of a float buffer with <paramref name="bins"/> equal bins over
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>]; see <see cref="BufferHistogram"/> for the
    /// binning rule. One pass (per-chunk counts on the CPU executor, atomic counters in kernels).
    /// </summary>
    /// <param name="values">The buffer (any length).</param>
    /// <param name="minimum">The lower edge of the first bin (finite).</param>
    /// <param name="maximum">The upper edge of the last bin (finite, above <paramref name="minimum"/>).</param>
    /// <param name="bins">The number of bins, 1..1,000,000.</param>
    /// <exception cref="ArgumentException">The range is empty or not finite, or the bin count is out of range.</exception>
    public BufferHistogram Histogram(ReadOnlySpan<float> values, double minimum, double maximum, int bins)
    {
        if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || !(maximum > minimum))
        {
            throw new ArgumentException(
                $"The histogram range must be finite with minimum < maximum, but [{minimum}, {maximum}] came. " +
                "Take the range from Statistics(values).Minimum and .Maximum, for example.",
                nameof(maximum));
        }

        if (bins is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, $"The number of bins must be 1..1,000,000, but {bins} came.");
        }

        var slots = new long[bins + 3];
        if (values.Length > 0)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _executor.Histogram(values, minimum, maximum, bins, slots);
            }
        }

        return new BufferHistogram(minimum, maximum, slots[..bins], slots[bins], slots[bins + 1], slots[bins + 2]);
    }

    /// <summary>Releases the device, its buffers and compiled kernels.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _executor.Dispose();
        }
    }

    private static void CheckOrder(int maxOrder)
    {
        if ((uint)maxOrder > Jet.MaxOrder)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxOrder), maxOrder,
                $"maxOrder must be 0..{Jet.MaxOrder} (Jet.MaxOrder), but {maxOrder} came. " +
                "Ask for at most Jet.MaxOrder derivatives (a jet holds orders 0..8).");
        }
    }

    private static AcceleratorExecutor? TryOpen(AcceleratorType type, bool gpuOnly, out string seen)
    {
        try
        {
            return AcceleratorExecutor.TryCreate(type, gpuOnly, out seen);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A broken driver (for example an OpenCL ICD that fails to load) must not stop Auto from falling back.
            seen = $"none (probing failed: {e.Message})";
            return null;
        }
    }

    private static AcceleratorExecutor Open(AcceleratorType type, string what, string advice)
        => TryOpen(type, gpuOnly: false, out var seen) ?? throw new InvalidOperationException(
            $"AcceleratorPreference asked for {what}, but no {what} device is available (ILGPU found: " +
            $"{(seen.Length == 0 ? "no device of that kind" : seen)}). {advice}");
}
