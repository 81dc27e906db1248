using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>Everything the probe measured, written as one JSON document (see docs/gpu-probe.md for the fields).</summary>
internal sealed record ProbeReport(
    ProbeOptions Options, DeviceInfo Device, string? Note, string EngineDevice, string CpuReference, IReadOnlyList<FunctionResult> Functions,
    KernelRate Copy, IReadOnlyList<KernelRate> Kernels, double Tolerance, double Seconds)
{
    public const int FormatVersion = 1;

    /// <summary>Indented, and readable: names such as derivatives&lt;SinF&gt; and ILGPU's messages are written as they are.</summary>
    public static JsonWriterOptions JsonOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The peak the fractions are taken of: the device info's, else the measured copy's.</summary>
    public double? PeakBytesPerSecond => Device.PeakBytesPerSecond ?? Copy.BytesPerSecond;

    public double MaxRelativeDifference => Functions.Max(f => f.Total.MaxRelative);

    public long NonFiniteMismatches => Functions.Sum(f => f.Total.NonFiniteMismatches);

    public bool Passed => MaxRelativeDifference <= Tolerance && NonFiniteMismatches == 0;

    public void Write(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, JsonOptions);
        json.WriteStartObject();
        json.WriteString("tool", "GpuProbe");
        json.WriteNumber("formatVersion", FormatVersion);
        json.WriteStartObject("device");
        json.WriteString("name", Device.Name);
        json.WriteString("accelerator", Device.Accelerator);
        json.WriteBoolean("gpu", Device.IsGpu);
        json.WriteString("engine", EngineDevice);
        if (Device.MemoryBytes is > 0 and < long.MaxValue)
        {
            json.WriteNumber("memoryBytes", Device.MemoryBytes);
        }
        else
        {
            // The CPU accelerator reports long.MaxValue (no memory of its own).
            json.WriteNull("memoryBytes");
        }
        WriteNumber(json, "memoryClockKHz", Device.MemoryClockKHz);
        WriteNumber(json, "busWidthBits", Device.BusWidthBits);
        WriteString(json, "architecture", Device.Architecture);
        WriteString(json, "driverVersion", Device.DriverVersion);
        WriteString(json, "note", Note);

        json.WriteEndObject();
        json.WriteString("cpuReference", CpuReference);
        json.WriteNumber("points", Options.Points);
        json.WriteNumber("maxOrder", Kernels.Count - 2);
        json.WriteString("difference", "|device - cpu| / max(1, |cpu|) over every point and order; non-finite values must match exactly");
        json.WriteStartArray("functions");
        foreach (var f in Functions)
        {
            json.WriteStartObject();
            json.WriteString("name", f.Name);
            json.WriteString("kind", f.Kind);
            json.WriteStartArray("interval");
            json.WriteNumberValue(f.Low);
            json.WriteNumberValue(f.High);
            json.WriteEndArray();
            json.WriteNumber("points", f.Points);
            json.WriteNumber("maxRelativeDifference", f.Total.MaxRelative);
            json.WriteNumber("nonFiniteMismatches", f.Total.NonFiniteMismatches);
            if (f.ByOrder.Count > 0)
            {
                json.WriteStartArray("maxRelativeDifferenceByOrder");
                foreach (var d in f.ByOrder)
                {
                    json.WriteNumberValue(d.MaxRelative);
                }

                json.WriteEndArray();
            }

            WriteRate(json, "kernel", f.Kernel);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("bandwidth");
        WriteNumber(json, "peakBytesPerSecond", PeakBytesPerSecond);
        json.WriteString("peakSource", Device.PeakSource);
        WriteRate(json, "copy", Copy);
        json.WriteStartArray("kernels");
        foreach (var kernel in Kernels)
        {
            WriteRate(json, null, kernel);
        }

        json.WriteEndArray();
        var best = Kernels.Where(k => k.BytesPerSecond is not null).MaxBy(k => k.BytesPerSecond);
        json.WriteString("bestKernel", best?.Kernel);
        WriteNumber(json, "bestFractionOfPeak", Fraction(best));
        json.WriteEndObject();
        json.WriteStartObject("summary");
        json.WriteNumber("maxRelativeDifference", MaxRelativeDifference);
        json.WriteString("worstFunction", Functions.MaxBy(f => f.Total.MaxRelative)?.Name);
        json.WriteNumber("nonFiniteMismatches", NonFiniteMismatches);
        json.WriteNumber("tolerance", Tolerance);
        json.WriteBoolean("passed", Passed);
        WriteNumber(json, "bestFractionOfPeak", Fraction(best));
        json.WriteNumber("seconds", Math.Round(Seconds, 3));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private double? Fraction(KernelRate? rate) => rate?.BytesPerSecond is double r && PeakBytesPerSecond is double peak && peak > 0 ? r / peak : null;

    private void WriteRate(Utf8JsonWriter json, string? name, KernelRate rate)
    {
        if (name is null)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartObject(name);
        }

        json.WriteString("kernel", rate.Kernel);
        json.WriteNumber("bytes", rate.Bytes);
        json.WriteNumber("seconds", rate.Seconds);
        WriteNumber(json, "bytesPerSecond", rate.BytesPerSecond);
        WriteNumber(json, "fractionOfPeak", Fraction(rate));
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
