using System.Globalization;
using System.Runtime.InteropServices;
using TrainingDiagnostics.TestSupport.SilentFaults;

namespace TrainingDiagnostics.Benchmarks;

/// <summary>
/// <c>silent-faults [--reduced] [--problem ID] [OUT.md]</c>: runs the silent-fault benchmark (every planted problem and the healthy controls,
/// <see cref="SilentFaultBenchmark"/>) and writes its Markdown table, by default to <c>benchmarks/results/silent-faults.md</c>
/// under the current folder. A correctness benchmark (detection, placement, healing), not a timing one.
/// </summary>
public static class SilentFaultsCommand
{
    /// <summary>The command's name.</summary>
    public const string Name = "silent-faults";

    /// <summary>Runs the benchmark; returns the exit code (0 even when a problem is missed: the table says so).</summary>
    /// <param name="args">Optional <c>--reduced</c> (one setting per problem, 6 controls), <c>--problem ID</c> (that problem's
    /// scenarios only, no controls) and the output path.</param>
    public static int Run(string[] args)
    {
        bool reduced = args.Contains("--reduced");
        int at = Array.IndexOf(args, "--problem");
        string? problem = at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        string output = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (at < 0 || i != at + 1)).FirstOrDefault()
            ?? Path.Combine("benchmarks", "results", "silent-faults.md");
        IReadOnlyList<SilentFaultScenario> faults = reduced ? SilentFaultCatalog.Reduced : SilentFaultCatalog.All;
        IReadOnlyList<SilentFaultScenario> healthy = SilentFaultCatalog.HealthyControls(reduced ? 1 : 3);
        if (problem is not null)
        {
            faults = faults.Where(f => f.Problem == problem).ToList();
            healthy = [];
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silent-fault benchmark: {faults.Count} planted runs, {healthy.Count} healthy controls"));
        BenchmarkResult result = SilentFaultBenchmark.Run(faults, healthy, Console.WriteLine);
        string machine = string.Create(CultureInfo.InvariantCulture,
            $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.WriteAllText(output, SilentFaultReport.ToMarkdown(result, machine));
        var (detected, total) = result.Detection;
        var (placed, placeable) = result.Placement;
        var (healed, healable) = result.Healing;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"detected {detected}/{total}, placed {placed}/{placeable}, healed {healed}/{healable}, healthy warnings {result.HealthyWarnings}; {result.Elapsed.TotalSeconds:0} s; wrote {Path.GetFullPath(output)}"));
        return 0;
    }
}
