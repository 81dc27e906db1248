using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// ILGPU binds the CUDA driver as "cuda", which .NET looks up as libcuda.so. A machine with only the driver (a container
/// from NVIDIA's toolkit, for one) often has libcuda.so.1 and no libcuda.so: when the usual lookup fails, this loads the
/// versioned name instead. (ILGPU sets its own import resolver, so the fallback hooks the load context's last resort.)
/// </summary>
internal static class CudaLibrary
{
    public static void AddFallback() => AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;

    private static IntPtr Resolve(Assembly assembly, string name) =>
        name == "cuda" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcuda.so.1", out IntPtr handle) ? handle : IntPtr.Zero;
}
