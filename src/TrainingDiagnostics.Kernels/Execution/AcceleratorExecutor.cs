using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// The ILGPU backend (CUDA, OpenCL or the CPU accelerator). Compiled kernels are cached per function
/// type, device buffers are kept and grown across calls, and a failed kernel compile rebuilds the
/// ILGPU context (a failed compile poisons it: every later load in it fails, even valid ones).
/// </summary>
internal sealed class AcceleratorExecutor : IPointwiseExecutor
{
    private readonly AcceleratorType _type;
    private readonly Dictionary<(string Kernel, Type Function), Delegate> _kernels = [];
    private readonly Dictionary<string, MemoryBuffer> _buffers = [];
    private Context _context;
    private Accelerator _accelerator;

    private AcceleratorExecutor(AcceleratorType type, Context context, Accelerator accelerator)
    {
        _type = type;
        _context = context;
        _accelerator = accelerator;
        DeviceName = $"{accelerator.Name} ({Describe(type)} via ILGPU)";
    }

    public string DeviceName { get; }

    /// <summary>How many times the context was rebuilt after a failed compile (tests read it).</summary>
    internal int ContextGeneration { get; private set; }

    /// <summary>Device buffers allocated so far (tests check that calls that fit reuse them).</summary>
    internal int Allocations { get; private set; }

    /// <summary>The number of kernels compiled and cached so far in the current context.</summary>
    internal int CachedKernelCount => _kernels.Count;

    /// <summary>The accelerator the kernels run on (the GPU probe reads its device and times copies on it).</summary>
    internal Accelerator Accelerator => _accelerator;

    /// <summary>
    /// The last call's kernel time: from its launch, with its inputs already on the device, until the device finished it
    /// (the host's clock; no transfers). The GPU probe divides the bytes a kernel moves by it.
    /// </summary>
    internal TimeSpan LastKernelTime { get; private set; }

    /// <summary>The accelerator of a kind, or null with the devices ILGPU saw (for the caller's error message).</summary>
    public static AcceleratorExecutor? TryCreate(AcceleratorType type, bool gpuOnly, out string seen)
    {
        var context = CreateContext(type);
        var device = PickDevice(context, type, gpuOnly);
        if (device is null)
        {
            seen = string.Join(", ", context.Devices.Select(d => $"{d.Name} ({d.AcceleratorType})"));
            context.Dispose();
            return null;
        }

        seen = device.Name;
        try
        {
            return new AcceleratorExecutor(type, context, device.CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static Context CreateContext(AcceleratorType type) => Context.Create(builder =>
    {
        _ = type switch
        {
            AcceleratorType.Cuda => builder.Cuda(),
            AcceleratorType.OpenCL => builder.OpenCL(),
            _ => builder.CPU(),
        };
        // XMath and the Math intrinsics mapped to it (ILGPU.Algorithms).
        builder.EnableAlgorithms();
    });

    private static Device? PickDevice(Context context, AcceleratorType type, bool gpuOnly)
    {
        foreach (var device in context.Devices)
        {
            if (device.AcceleratorType != type)
            {
                continue;
            }

            // An OpenCL CPU device (e.g. POCL) is slower than the Parallel.For executor: Auto skips it.
            if (gpuOnly && device is CLDevice cl && cl.DeviceType != CLDeviceType.CL_DEVICE_TYPE_GPU)
            {
                continue;
            }

            return device;
        }

        return null;
    }

    private static string Describe(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => "CUDA",
        AcceleratorType.OpenCL => "OpenCL",
        _ => "CPU accelerator, a GPU simulator",
    };

    /// <summary>
    /// One contiguous chunk per CPU-accelerator thread (small chunks cost ~8x there); one element per
    /// thread, grid-strided, on a GPU so that neighbouring threads touch neighbouring elements.
    /// </summary>
    private LaunchPlan Plan(long count) => _type == AcceleratorType.CPU
        ? LaunchPlan.Chunked(count, _accelerator.MaxNumThreads)
        : LaunchPlan.Strided(count, 1 << 30);

    public void Derivatives<TFunction>(ReadOnlySpan<double> points, int maxOrder, double[][] result)
        where TFunction : struct, IUnaryFunction
    {
        var kernel = Kernel<Action<Index1D, ArrayView<double>, ArrayView<double>, int, LaunchPlan>>(
            "derivatives", typeof(TFunction), a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, LaunchPlan>(
                PointwiseKernels.DerivativesKernel<TFunction>));
        long n = points.Length;
        var input = Buffer<double>("points", n);
        var output = Buffer<double>("derivatives", n * (maxOrder + 1));
        input.CopyFromCPU(points);
        var plan = Plan(n);
        Timed(() => kernel(plan.Threads, input, output, maxOrder, plan));
        for (int k = 0; k <= maxOrder; k++)
        {
            output.SubView(k * n, n).CopyToCPU(result[k].AsSpan());
        }
    }

    public void Directional<TFunction>(
        ReadOnlySpan<double> rows, int arity, int order, double[] values, double[] gradient, double[] second)
        where TFunction : struct, IMultivariateFunction
    {
        var kernel = Kernel<Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, LaunchPlan>>(
            "directional", typeof(TFunction), a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, LaunchPlan>(
                PointwiseKernels.DirectionalKernel<TFunction>));
        long elements = rows.Length;
        long count = elements / arity;
        var input = Buffer<double>("rows", elements);
        var valueBuffer = Buffer<double>("values", count);
        var gradientBuffer = Buffer<double>("gradient", elements);
        var secondBuffer = Buffer<double>("second", elements);
        input.CopyFromCPU(rows);
        var plan = Plan(elements);
        Timed(() => kernel(plan.Threads, input, valueBuffer, gradientBuffer, secondBuffer, arity, order, plan));
        valueBuffer.CopyToCPU(values.AsSpan());
        gradientBuffer.CopyToCPU(gradient.AsSpan());
        if (order >= 2)
        {
            secondBuffer.CopyToCPU(second.AsSpan());
        }
    }

    public StatisticsPartial Statistics(ReadOnlySpan<float> values)
    {
        var kernel = Kernel<Action<Index1D, ArrayView<float>, ArrayView<double>, LaunchPlan>>(
            "statistics", typeof(float), a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, LaunchPlan>(
                StatisticsKernels.StatisticsKernel));
        long n = values.Length;
        // Partials per thread are combined on the host: cap the threads so that stays cheap.
        var plan = _type == AcceleratorType.CPU ? LaunchPlan.Chunked(n, _accelerator.MaxNumThreads) : LaunchPlan.Strided(n, 1 << 16);
        var input = Buffer<float>("floats", n);
        var partials = Buffer<double>("partials", (long)plan.Threads * StatisticsKernels.PartialWidth);
        input.CopyFromCPU(values);
        Timed(() => kernel(plan.Threads, input, partials, plan));
        var host = new double[plan.Threads * StatisticsKernels.PartialWidth];
        partials.CopyToCPU(host.AsSpan());
        var total = StatisticsPartial.Empty;
        for (int t = 0; t < plan.Threads; t++)
        {
            int o = t * StatisticsKernels.PartialWidth;
            total.Merge(new StatisticsPartial
            {
                NaN = (long)host[o],
                PositiveInfinity = (long)host[o + 1],
                NegativeInfinity = (long)host[o + 2],
                SumOfSquares = host[o + 3],
                Min = host[o + 4],
                Max = host[o + 5],
            });
        }

        return total;
    }

    public void Histogram(ReadOnlySpan<float> values, double min, double max, int bins, long[] slots)
    {
        var kernel = Kernel<Action<Index1D, ArrayView<float>, ArrayView<int>, double, double, double, int, LaunchPlan>>(
            "histogram", typeof(float), a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, double, double, double, int, LaunchPlan>(
                StatisticsKernels.HistogramKernel));
        long n = values.Length;
        var input = Buffer<float>("floats", n);
        var counters = Buffer<int>("slots", bins + 3);
        input.CopyFromCPU(values);
        counters.MemSetToZero();
        var plan = Plan(n);
        Timed(() => kernel(plan.Threads, input, counters, min, max, bins / (max - min), bins, plan));
        var host = new int[bins + 3];
        counters.CopyToCPU(host.AsSpan());
        for (int s = 0; s < host.Length; s++)
        {
            slots[s] += host[s];
        }
    }

    /// <summary>Launches a kernel once its inputs are on the device, waits for it, and keeps its time in <see cref="LastKernelTime"/>.</summary>
    private void Timed(Action launch)
    {
        _accelerator.Synchronize();
        long start = Stopwatch.GetTimestamp();
        launch();
        _accelerator.Synchronize();
        LastKernelTime = Stopwatch.GetElapsedTime(start);
    }

    /// <summary>
    /// The cached kernel for (kind, function type), compiled on first use. A compile failure rebuilds the
    /// context (so later loads work again) and reports what could not be compiled.
    /// </summary>
    private TDelegate Kernel<TDelegate>(string kind, Type function, Func<Accelerator, TDelegate> load)
        where TDelegate : Delegate
    {
        if (_kernels.TryGetValue((kind, function), out var cached))
        {
            return (TDelegate)cached;
        }

        TDelegate kernel;
        try
        {
            kernel = load(_accelerator);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            RebuildContext();
            throw new NotSupportedException(
                $"ILGPU could not compile {function.FullName} into a kernel for {DeviceName}: {e.Message.TrimEnd('.')}. " +
                "Kernel code may use Jet arithmetic, Math functions, loops and local value types, but not allocations " +
                "(new arrays or classes), strings, exceptions or virtual calls. Simplify the function, or use " +
                "AcceleratorPreference.Cpu, which runs any code. The engine rebuilt its ILGPU context and stays usable.",
                e);
        }

        _kernels[(kind, function)] = kernel;
        return kernel;
    }

    private void RebuildContext()
    {
        DisposeDevice();
        _context = CreateContext(_type);
        var device = PickDevice(_context, _type, gpuOnly: false)
            ?? throw new InvalidOperationException($"The {Describe(_type)} device disappeared while the ILGPU context was rebuilt.");
        _accelerator = device.CreateAccelerator(_context);
        ContextGeneration++;
    }

    /// <summary>A view of <paramref name="length"/> elements of a kept buffer, reallocated only to grow.</summary>
    private ArrayView<T> Buffer<T>(string name, long length)
        where T : unmanaged
    {
        long needed = Math.Max(1, length);
        if (_buffers.TryGetValue(name, out var existing) && existing.Length >= needed)
        {
            return ((MemoryBuffer1D<T, Stride1D.Dense>)existing).View.AsContiguous().SubView(0, length);
        }

        existing?.Dispose();
        var buffer = _accelerator.Allocate1D<T>(needed);
        Allocations++;
        _buffers[name] = buffer;
        return buffer.View.AsContiguous().SubView(0, length);
    }

    private void DisposeDevice()
    {
        foreach (var buffer in _buffers.Values)
        {
            buffer.Dispose();
        }

        _buffers.Clear();
        _kernels.Clear();
        _accelerator.Dispose();
        _context.Dispose();
    }

    public void Dispose() => DisposeDevice();
}
