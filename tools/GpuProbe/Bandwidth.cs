using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;
using TrainingDiagnostics.Kernels.Tests;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// Timed runs of the engine's kernels on data already on the device (the kernel time only, see
/// <see cref="AcceleratorExecutor.LastKernelTime"/>), each the best of several, with the bytes each must move: the derivatives
/// kernel of sin at every order 0..8 (memory-bound at low orders, compute-bound at high ones), the statistics kernel over
/// floats (a pure read), and a device-to-device copy (what the memory gives at best).
/// </summary>
internal static class Bandwidth
{
    public static KernelRate Copy(Accelerator accelerator, int points, int repeat)
    {
        using var source = accelerator.Allocate1D<double>(points);
        using var target = accelerator.Allocate1D<double>(points);
        source.MemSetToZero();
        return Best("device-to-device copy (doubles)", 16L * points, repeat, () =>
        {
            accelerator.Synchronize();
            long start = Stopwatch.GetTimestamp();
            source.View.CopyTo(target.View);
            accelerator.Synchronize();
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        });
    }

    public static KernelRate Derivatives(PointwiseEngine device, Workspace workspace, int points, int order, int repeat)
    {
        var x = workspace.Fill(-6, 6, points);
        var destination = workspace.Device[..(order + 1)];
        // Reads one double per point, writes order + 1.
        return Best($"derivatives<SinF>, orders 0..{order}", 8L * points * (order + 2), repeat, () =>
        {
            device.Derivatives<SinF>(x.AsSpan(0, points), destination);
            return KernelTime(device);
        });
    }

    public static KernelRate Statistics(PointwiseEngine device, int points, int repeat)
    {
        var random = new Random(3);
        var values = new float[points];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return Best("statistics (floats: NaN/Inf counts, sum of squares, min, max)", 4L * points, repeat, () =>
        {
            device.Statistics(values);
            return KernelTime(device);
        });
    }

    private static double KernelTime(PointwiseEngine device) => ((AcceleratorExecutor)device.Executor).LastKernelTime.TotalSeconds;

    private static KernelRate Best(string kernel, long bytes, int repeat, Func<double> run)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeat; r++)
        {
            best = Math.Min(best, run());
        }

        return new KernelRate(kernel, bytes, best);
    }
}
