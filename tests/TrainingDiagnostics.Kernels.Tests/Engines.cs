using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>
/// One engine per backend for the whole test run (kernels compile once per function type and engine),
/// written once and run on every backend: the CPU executor and ILGPU's CPU accelerator always, CUDA and
/// OpenCL where present (inconclusive otherwise).
/// </summary>
[TestClass]
public static class Engines
{
    private static readonly Dictionary<AcceleratorPreference, Lazy<PointwiseEngine?>> Opened = new()
    {
        [AcceleratorPreference.Cpu] = new(() => new PointwiseEngine(AcceleratorPreference.Cpu)),
        [AcceleratorPreference.CpuAccelerator] = new(() => new PointwiseEngine(AcceleratorPreference.CpuAccelerator)),
        [AcceleratorPreference.Cuda] = new(() => TryOpen(AcceleratorPreference.Cuda)),
        [AcceleratorPreference.OpenCL] = new(() => TryOpen(AcceleratorPreference.OpenCL)),
    };

    /// <summary>The engine for a backend; marks the test inconclusive when that device is absent.</summary>
    public static PointwiseEngine Get(AcceleratorPreference preference)
    {
        var engine = Opened[preference].Value;
        if (engine is null)
        {
            Assert.Inconclusive($"No {preference} device on this machine: the {preference} run of this test is skipped.");
        }

        return engine!;
    }

    public static bool IsPresent(AcceleratorPreference preference) => Opened[preference].Value is not null;

    private static PointwiseEngine? TryOpen(AcceleratorPreference preference)
    {
        try
        {
            return new PointwiseEngine(preference);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    [AssemblyCleanup]
    public static void DisposeAll()
    {
        foreach (var lazy in Opened.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value?.Dispose();
            }
        }
    }

    /// <summary>Reproducible points in [low, high).</summary>
    public static double[] Points(int n, double low, double high, int seed = 17)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = low + (high - low) * random.NextDouble();
        }

        return x;
    }
}
