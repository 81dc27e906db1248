namespace TrainingDiagnostics.GpuProbe;

/// <summary>A kernel's (or a copy's) memory traffic: the bytes it must read and write, over its time on the device.</summary>
internal sealed record KernelRate(string Kernel, long Bytes, double Seconds)
{
    /// <summary>Bytes per second, or null when the time was too short to measure.</summary>
    public double? BytesPerSecond => Seconds > 0 ? Bytes / Seconds : null;
}
