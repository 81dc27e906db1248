using System.Reflection;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>A function of the Kernels tests with the interval its points are drawn from (inside its domain).</summary>
internal abstract class ProbeFunction(string name, double low, double high)
{
    public string Name { get; } = name;

    public double Low { get; } = low;

    public double High { get; } = high;

    /// <summary>The engine's kernel method for this function (what the PTX check compiles).</summary>
    public abstract MethodInfo Kernel { get; }

    /// <summary>
    /// Runs the function on both engines over the workspace's points and compares the results; then runs the device
    /// <paramref name="repeat"/> more times and keeps the best kernel time (the first launch of a kernel may include a JIT:
    /// .NET's on the CPU accelerator, the driver's on a GPU).
    /// </summary>
    public abstract FunctionResult Compare(PointwiseEngine cpu, PointwiseEngine device, Workspace workspace, int points, int repeat);

    /// <summary>The best kernel time of <paramref name="repeat"/> runs of <paramref name="run"/>, in seconds.</summary>
    protected static double BestKernelSeconds(PointwiseEngine device, int repeat, Action run)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeat; r++)
        {
            run();
            best = Math.Min(best, ((AcceleratorExecutor)device.Executor).LastKernelTime.TotalSeconds);
        }

        return best;
    }
}
