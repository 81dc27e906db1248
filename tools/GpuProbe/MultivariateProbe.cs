using System.Reflection;
using ILGPU;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>Value, gradient, Hessian diagonal and Laplacian at every row: the engine's directional kernel (order 2).</summary>
internal sealed class MultivariateProbe<TFunction>(double low, double high) : ProbeFunction(typeof(TFunction).Name, low, high)
    where TFunction : struct, IMultivariateFunction
{
    public override MethodInfo Kernel =>
        ((Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, LaunchPlan>)
            PointwiseKernels.DirectionalKernel<TFunction>).Method;

    public override FunctionResult Compare(PointwiseEngine cpu, PointwiseEngine device, Workspace workspace, int points, int repeat)
    {
        int arity = default(TFunction).Arity;
        int rows = Math.Max(1, points / arity);
        var x = workspace.Fill(Low, High, rows * arity).AsSpan(0, rows * arity);
        var expected = cpu.Analyze<TFunction>(x, DerivativeSet.All);
        var actual = device.Analyze<TFunction>(x, DerivativeSet.All);
        var total = default(Difference);
        total.Add(expected.Values, actual.Values);
        total.Add(expected.Gradient, actual.Gradient);
        total.Add(expected.HessianDiagonal, actual.HessianDiagonal);
        total.Add(expected.Laplacian, actual.Laplacian);
        var x2 = workspace.Points;
        double seconds = BestKernelSeconds(device, repeat, () => device.Analyze<TFunction>(x2.AsSpan(0, rows * arity), DerivativeSet.All));
        // Reads the rows once; writes the values, the gradient and the second derivatives.
        long bytes = 8L * (rows * (long)arity * 3 + rows);
        var kernel = new KernelRate($"directional<{Name}>, order 2", bytes, seconds);
        return new FunctionResult(Name, "multivariate", Low, High, rows, total, [], kernel);
    }
}
