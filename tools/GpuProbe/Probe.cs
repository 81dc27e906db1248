using System.Diagnostics;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// The probe's run: opens the device (CUDA, else ILGPU's CPU accelerator, unless told otherwise) and the CPU executor,
/// compares every function of <see cref="ProbeFunctions"/> at orders 0..8, then times the kernels' memory traffic.
/// Progress goes to <paramref name="log"/> (standard error); the result is a <see cref="ProbeReport"/>.
/// </summary>
internal sealed class Probe(ProbeOptions options, TextWriter log)
{
    /// <summary>The largest relative difference (see <see cref="Difference"/>) a device may show against the CPU executor.</summary>
    /// <remarks>
    /// A broken kernel differs by far more. Correct ones differ in the last bits of their sin, exp and log (a GPU's own, the
    /// CPU executor's vectorized ones for lane functions, within 2 ulp), which orders up to 8 amplify: about 1e-12 measured
    /// between the CPU executor's lanes and the scalar jets of the kernels.
    /// </remarks>
    public const double Tolerance = 1e-10;

    public ProbeReport Run()
    {
        var clock = Stopwatch.StartNew();
        var (device, note) = OpenDevice();
        using (device)
        using (var cpu = new PointwiseEngine(AcceleratorPreference.Cpu))
        {
            var accelerator = ((AcceleratorExecutor)device.Executor).Accelerator;
            var info = DeviceInfo.Of(accelerator);
            log.WriteLine($"GpuProbe: {device.DeviceName} against {cpu.DeviceName}, {options.Points:N0} points per function");
            var workspace = new Workspace(options.Points);
            var functions = new List<FunctionResult>();
            foreach (var function in ProbeFunctions.All.Where(f => options.Functions?.Contains(f.Name) ?? true))
            {
                var start = Stopwatch.GetTimestamp();
                var result = function.Compare(cpu, device, workspace, options.Points, options.Repeat);
                functions.Add(result);
                log.WriteLine($"  {function.Name,-28} max relative difference {result.Total.MaxRelative:E2}, " +
                    $"non-finite mismatches {result.Total.NonFiniteMismatches} ({Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s)");
            }

            log.WriteLine("  timing the kernels' memory traffic");
            var copy = Bandwidth.Copy(accelerator, options.Points, options.Repeat);
            var kernels = new List<KernelRate>();
            for (int order = 0; order <= Jet.MaxOrder; order++)
            {
                kernels.Add(Bandwidth.Derivatives(device, workspace, options.Points, order, options.Repeat));
            }

            kernels.Add(Bandwidth.Statistics(device, options.Points, options.Repeat));
            return new ProbeReport(options, info, note, device.DeviceName, cpu.DeviceName, functions, copy, kernels, Tolerance, clock.Elapsed.TotalSeconds);
        }
    }

    private (PointwiseEngine Device, string? Note) OpenDevice()
    {
        switch (options.Device)
        {
            case "cuda":
                return (new PointwiseEngine(AcceleratorPreference.Cuda), null);
            case "opencl":
                return (new PointwiseEngine(AcceleratorPreference.OpenCL), null);
            case "cpu":
                return (new PointwiseEngine(AcceleratorPreference.CpuAccelerator), "ILGPU's CPU accelerator, as asked (--device cpu): the kernel path runs on the host; no GPU was used.");
            default:
                try
                {
                    return (new PointwiseEngine(AcceleratorPreference.Cuda), null);
                }
                catch (InvalidOperationException e)
                {
                    log.WriteLine($"GpuProbe: no CUDA device ({e.Message}); running on ILGPU's CPU accelerator.");
                    return (new PointwiseEngine(AcceleratorPreference.CpuAccelerator),
                        $"No CUDA device: ran on ILGPU's CPU accelerator (a GPU simulator on the host), so the numbers check the kernel path, not a GPU, and the bandwidth is the host's. ILGPU said: {e.Message}");
                }
        }
    }
}
