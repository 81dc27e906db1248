using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using TrainingDiagnostics.Kernels.Execution;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// Compiles the engine's kernels for every probe function to PTX with ILGPU's PTX backend, which needs no GPU: on a machine
/// without one it shows that this build (the trimmed one too) carries everything the CUDA path compiles with. PTX is text;
/// only a GPU's driver assembles it, so a real device remains the final proof.
/// </summary>
internal static class PtxCheck
{
    /// <summary>Hopper (H100, H200) and the PTX version that introduced it.</summary>
    public static readonly CudaArchitecture Architecture = CudaArchitecture.SM_90;

    public static readonly CudaInstructionSet InstructionSet = CudaInstructionSet.ISA_78;

    /// <summary>Compiles each kernel, writes one JSON document, and returns the exit code (0: every kernel compiled).</summary>
    public static int Run(IEnumerable<ProbeFunction> functions, TextWriter log, Stream output)
    {
        var clock = Stopwatch.StartNew();
        var kernels = functions.Select(f => (Name: $"{Prefix(f)}<{f.Name}>", Method: f.Kernel)).ToList();
        kernels.Add(("statistics", ((Action<Index1D, ArrayView<float>, ArrayView<double>, LaunchPlan>)StatisticsKernels.StatisticsKernel).Method));
        kernels.Add(("histogram", ((Action<Index1D, ArrayView<float>, ArrayView<int>, double, double, double, int, LaunchPlan>)StatisticsKernels.HistogramKernel).Method));
        using var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(Architecture), Architecture, InstructionSet, nvvmAPI: null);
        var results = new List<(string Kernel, int Characters, string? Error)>();
        foreach (var (name, method) in kernels)
        {
            try
            {
                var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), KernelSpecialization.Empty);
                string ptx = compiled.PTXAssembly;
                results.Add((name, ptx.Length, ptx.Contains(".entry", StringComparison.Ordinal) ? null : "the PTX has no .entry"));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                results.Add((name, 0, $"{e.GetType().Name}: {e.Message}"));
            }

            log.WriteLine($"  {name,-40} {(results[^1].Error ?? $"{results[^1].Characters:N0} characters of PTX")}");
        }

        using var json = new Utf8JsonWriter(output, ProbeReport.JsonOptions);
        json.WriteStartObject();
        json.WriteString("tool", "GpuProbe");
        json.WriteNumber("formatVersion", ProbeReport.FormatVersion);
        json.WriteStartObject("ptx");
        json.WriteString("architecture", Architecture.ToString());
        json.WriteString("instructionSet", InstructionSet.ToString());
        json.WriteStartArray("kernels");
        foreach (var (kernel, characters, error) in results)
        {
            json.WriteStartObject();
            json.WriteString("kernel", kernel);
            json.WriteBoolean("compiled", error is null);
            json.WriteNumber("characters", characters);
            if (error is not null)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("passed", results.All(r => r.Error is null));
        json.WriteNumber("seconds", Math.Round(clock.Elapsed.TotalSeconds, 3));
        json.WriteEndObject();
        json.WriteEndObject();
        return results.All(r => r.Error is null) ? 0 : 1;
    }

    private static string Prefix(ProbeFunction function) => function.Kernel.Name.Replace("Kernel", "", StringComparison.Ordinal).ToLowerInvariant();
}
