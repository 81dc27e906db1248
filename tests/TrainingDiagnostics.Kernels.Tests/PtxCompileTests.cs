using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>
/// The kernels compile to PTX (CUDA) without a GPU: ILGPU's PTX backend runs on any machine, so CI
/// catches a rule that the CPU accelerator accepts but the CUDA backend would reject (the CPU
/// accelerator executes IL and tolerates more).
/// </summary>
[TestClass]
public sealed class PtxCompileTests
{
    private static string CompileToPtx(MethodInfo kernel)
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(
            context, new CudaCapabilityContext(CudaArchitecture.SM_70), CudaArchitecture.SM_70, CudaInstructionSet.ISA_70, nvvmAPI: null);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    private static MethodInfo Kernel(Type owner, string name, Type function)
        => owner.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(function);

    [TestMethod]
    public void EveryRuleCompilesToPtx()
    {
        string ptx = CompileToPtx(Kernel(typeof(PointwiseKernels), nameof(PointwiseKernels.DerivativesKernel), typeof(EveryRuleF)));
        StringAssert.Contains(ptx, ".entry");
        StringAssert.Contains(ptx, ".f64");
    }

    [TestMethod]
    public void AGenericBodyOverIJetCompilesToPtx()
        => StringAssert.Contains(CompileToPtx(Kernel(typeof(PointwiseKernels), nameof(PointwiseKernels.DerivativesKernel), typeof(GenericEveryRuleF))), ".entry");

    [TestMethod]
    public void DirectionalAndStatisticsKernelsCompileToPtx()
    {
        StringAssert.Contains(CompileToPtx(Kernel(typeof(PointwiseKernels), nameof(PointwiseKernels.DirectionalKernel), typeof(GaussianF))), ".entry");
        StringAssert.Contains(CompileToPtx(typeof(StatisticsKernels).GetMethod(nameof(StatisticsKernels.StatisticsKernel))!), ".entry");
        // The counters are atomic: PTX "red.add" (an atomic add whose result is unused).
        StringAssert.Contains(CompileToPtx(typeof(StatisticsKernels).GetMethod(nameof(StatisticsKernels.HistogramKernel))!), "red.add");
    }
}
