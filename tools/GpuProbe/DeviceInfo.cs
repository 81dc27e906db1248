using System.Globalization;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>What ILGPU says about the device, and its peak memory bandwidth where the device info gives one.</summary>
internal sealed record DeviceInfo(
    string Name, string Accelerator, bool IsGpu, long MemoryBytes, int? MemoryClockKHz, int? BusWidthBits, string? Architecture, string? DriverVersion)
{
    /// <summary>
    /// 2 × memory clock × bus width / 8 (double data rate), as NVIDIA's deviceQuery computes it; null where ILGPU's device
    /// info has no memory clock (the CPU accelerator, OpenCL) or reports none.
    /// </summary>
    public double? PeakBytesPerSecond => MemoryClockKHz is > 0 && BusWidthBits is > 0
        ? 2.0 * MemoryClockKHz.Value * 1e3 * BusWidthBits.Value / 8
        : null;

    public string PeakSource => PeakBytesPerSecond is null
        ? "measured: a device-to-device copy (ILGPU's device info gives no memory clock for this device)"
        : string.Create(CultureInfo.InvariantCulture,
            $"device info: 2 x memory clock ({MemoryClockKHz / 1000.0:0} MHz) x bus width ({BusWidthBits} bits) / 8");

    public static DeviceInfo Of(Accelerator accelerator)
    {
        var device = accelerator.Device;
        var cuda = device as CudaDevice;
        return new DeviceInfo(
            device.Name,
            device.AcceleratorType.ToString(),
            device.AcceleratorType is AcceleratorType.Cuda or AcceleratorType.OpenCL,
            device.MemorySize,
            cuda?.MemoryClockRate,
            cuda?.MemoryBusWidth,
            cuda?.Architecture?.ToString(),
            cuda?.DriverVersion.ToString());
    }
}
