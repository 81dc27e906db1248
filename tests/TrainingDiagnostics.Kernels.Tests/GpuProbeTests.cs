using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>
/// tools/GpuProbe, run as a user runs it (a process): on ILGPU's CPU accelerator with a small count it prints one JSON
/// document whose differences against the CPU executor are small and whose bandwidth fractions are positive numbers; and
/// it runs every function of TestFunctions.cs that can become a kernel.
/// </summary>
[TestClass]
public sealed class GpuProbeTests
{
    private static readonly string ProbePath = typeof(GpuProbeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GpuProbePath").Value!;

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        Assert.IsTrue(File.Exists(ProbePath), $"GpuProbe was not built at {ProbePath} (the test project builds it first).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ProbePath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var probe = Process.Start(start)!;
        var output = probe.StandardOutput.ReadToEndAsync();
        var error = probe.StandardError.ReadToEndAsync();
        Assert.IsTrue(probe.WaitForExit(TimeSpan.FromMinutes(3)), "GpuProbe did not finish within 3 minutes");
        return (probe.ExitCode, output.Result, error.Result);
    }

    [TestMethod]
    public void The_probe_runs_every_function_of_the_tests_except_the_one_that_allocates_on_purpose()
    {
        var expected = typeof(SinF).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.IsPublic && t.Namespace == typeof(SinF).Namespace
                && (typeof(IUnaryFunction).IsAssignableFrom(t) || typeof(IMultivariateFunction).IsAssignableFrom(t)))
            .Where(t => t != typeof(AllocatingF))
            .Select(t => t.Name)
            .ToList();
        var (exitCode, output, error) = Run("--list");
        Assert.AreEqual(0, exitCode, error);
        var listed = JsonSerializer.Deserialize<List<string>>(output)!;
        Assert.IsGreaterThanOrEqualTo(30, expected.Count, "the test functions were found");
        CollectionAssert.AreEquivalent(expected, listed);
    }

    [TestMethod]
    public void On_the_CPU_accelerator_the_probe_prints_one_JSON_document_with_tiny_differences_and_positive_bandwidth_fractions()
    {
        const int points = 3000;
        string[] names = ["SinF", "ExpSinTimesSquareF", "GenericExpSinTimesSquareF", "GaussianF"];
        var (exitCode, output, error) = Run("--device", "cpu", "--points", points.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--repeat", "1", "--functions", string.Join(',', names));
        Assert.AreEqual(0, exitCode, error);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.AreEqual("GpuProbe", root.GetProperty("tool").GetString());

        var device = root.GetProperty("device");
        Assert.AreEqual("CPU", device.GetProperty("accelerator").GetString());
        Assert.IsFalse(device.GetProperty("gpu").GetBoolean());
        StringAssert.Contains(device.GetProperty("note").GetString(), "CPU accelerator", "the JSON says no GPU was used");
        Assert.AreEqual(points, root.GetProperty("points").GetInt32());
        Assert.AreEqual(Jet.MaxOrder, root.GetProperty("maxOrder").GetInt32());

        var functions = root.GetProperty("functions").EnumerateArray().ToList();
        CollectionAssert.AreEqual(names, functions.Select(f => f.GetProperty("name").GetString()).ToList());
        double worst = 0;
        foreach (var f in functions)
        {
            string name = f.GetProperty("name").GetString()!;
            double difference = f.GetProperty("maxRelativeDifference").GetDouble();
            // The kernels run the CPU executor's jet code (lane functions: its own vectorized sin and exp, within 2 ulp).
            Assert.IsTrue(difference is >= 0 and <= 1e-11, $"{name}: {difference}");
            Assert.AreEqual(0, f.GetProperty("nonFiniteMismatches").GetInt64(), name);
            worst = Math.Max(worst, difference);
            var kernel = f.GetProperty("kernel");
            Assert.IsGreaterThan(0.0, kernel.GetProperty("bytesPerSecond").GetDouble(), name);
            if (f.GetProperty("kind").GetString() == "unary")
            {
                Assert.AreEqual(Jet.MaxOrder + 1, f.GetProperty("maxRelativeDifferenceByOrder").GetArrayLength(), name);
                // One double read and 9 written per point.
                Assert.AreEqual(8L * points * (Jet.MaxOrder + 2), kernel.GetProperty("bytes").GetInt64(), name);
            }
        }

        var bandwidth = root.GetProperty("bandwidth");
        Assert.IsGreaterThan(0.0, bandwidth.GetProperty("peakBytesPerSecond").GetDouble());
        StringAssert.StartsWith(bandwidth.GetProperty("peakSource").GetString(), "measured", "the CPU accelerator has no memory clock in ILGPU's device info");
        var kernels = bandwidth.GetProperty("kernels").EnumerateArray().ToList();
        Assert.HasCount(Jet.MaxOrder + 2, kernels, "the derivatives kernel at orders 0..8, and the statistics kernel");
        foreach (var kernel in kernels)
        {
            double fraction = kernel.GetProperty("fractionOfPeak").GetDouble();
            Assert.IsTrue(double.IsFinite(fraction) && fraction > 0, $"{kernel.GetProperty("kernel").GetString()}: {fraction}");
        }

        double best = bandwidth.GetProperty("bestFractionOfPeak").GetDouble();
        Assert.AreEqual(kernels.Max(k => k.GetProperty("fractionOfPeak").GetDouble()), best);

        var summary = root.GetProperty("summary");
        Assert.AreEqual(worst, summary.GetProperty("maxRelativeDifference").GetDouble());
        Assert.IsTrue(summary.GetProperty("passed").GetBoolean());
        Assert.AreEqual(best, summary.GetProperty("bestFractionOfPeak").GetDouble());
    }

    [TestMethod]
    public void Without_a_GPU_the_probe_compiles_a_functions_kernel_and_the_statistics_kernels_to_PTX_for_sm_90()
    {
        var (exitCode, output, error) = Run("--ptx", "--functions", "ExpSinTimesSquareF");
        Assert.AreEqual(0, exitCode, error);
        using var document = JsonDocument.Parse(output);
        var ptx = document.RootElement.GetProperty("ptx");
        Assert.AreEqual("SM_90", ptx.GetProperty("architecture").GetString());
        var kernels = ptx.GetProperty("kernels").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "derivatives<ExpSinTimesSquareF>", "statistics", "histogram" }, kernels.Select(k => k.GetProperty("kernel").GetString()).ToList());
        Assert.IsTrue(kernels.All(k => k.GetProperty("compiled").GetBoolean() && k.GetProperty("characters").GetInt32() > 1000));
        Assert.IsTrue(ptx.GetProperty("passed").GetBoolean());
    }

    [TestMethod]
    public void A_bad_argument_gives_exit_code_2_and_a_JSON_error_that_says_what_was_expected()
    {
        var (exitCode, output, _) = Run("--points", "0");
        Assert.AreEqual(2, exitCode);
        using var document = JsonDocument.Parse(output);
        StringAssert.Contains(document.RootElement.GetProperty("error").GetString(), "--points must be a whole number from 1 to");
    }
}
