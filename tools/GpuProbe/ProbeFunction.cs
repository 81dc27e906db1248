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

    /// <summary>Runs the function on both engines over the workspace's points and compares the results.</summary>
    public abstract FunctionResult Compare(PointwiseEngine cpu, PointwiseEngine device, Workspace workspace, int points);

    protected static AcceleratorExecutor Kernels(PointwiseEngine device) => (AcceleratorExecutor)device.Executor;
}
