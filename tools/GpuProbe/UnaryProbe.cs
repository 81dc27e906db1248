using System.Reflection;
using ILGPU;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>f^(k) for k = 0..<see cref="Jet.MaxOrder"/> at every point: the engine's derivatives kernel.</summary>
internal sealed class UnaryProbe<TFunction>(double low, double high) : ProbeFunction(typeof(TFunction).Name, low, high)
    where TFunction : struct, IUnaryFunction
{
    public override MethodInfo Kernel =>
        ((Action<Index1D, ArrayView<double>, ArrayView<double>, int, LaunchPlan>)PointwiseKernels.DerivativesKernel<TFunction>).Method;

    public override FunctionResult Compare(PointwiseEngine cpu, PointwiseEngine device, Workspace workspace, int points, int repeat)
    {
        var x = workspace.Fill(Low, High, points).AsSpan(0, points);
        // The workspace holds exactly `points` entries per order.
        var cpuResult = workspace.Cpu;
        var deviceResult = workspace.Device;
        cpu.Derivatives<TFunction>(x, cpuResult);
        device.Derivatives<TFunction>(x, deviceResult);
        var total = default(Difference);
        var byOrder = new Difference[Jet.MaxOrder + 1];
        for (int k = 0; k <= Jet.MaxOrder; k++)
        {
            byOrder[k].Add(cpuResult[k], deviceResult[k]);
            total.Add(byOrder[k]);
        }

        var x2 = workspace.Points;
        double seconds = BestKernelSeconds(device, repeat, () => device.Derivatives<TFunction>(x2.AsSpan(0, points), deviceResult));
        // Reads one double per point, writes one per order.
        var kernel = new KernelRate($"derivatives<{Name}>, orders 0..{Jet.MaxOrder}", 8L * points * (Jet.MaxOrder + 2), seconds);
        return new FunctionResult(Name, "unary", Low, High, points, total, byOrder, kernel);
    }
}
