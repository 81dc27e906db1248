using System.Globalization;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>One case of <see cref="LongRunReportBenchmarks"/>: a generated run (seeded) of so many steps, parameters and rank logs, in a schema version.</summary>
/// <param name="Steps">Steps per rank.</param>
/// <param name="Parameters">Parameter tensors per step.</param>
/// <param name="Ranks">Rank logs of the run (merged by step).</param>
/// <param name="Version">The schema version: 2 (columns after a parameters line) or 1 (every step repeats every name).</param>
public sealed record LongRunLog(int Steps, int Parameters, int Ranks, int Version)
{
    /// <summary>The log files, generated on first use into <see cref="LargeLogGenerator.Folder"/>.</summary>
    /// <returns>The paths, one per rank.</returns>
    public string[] Ensure() => LargeLogGenerator.Ensure(Steps, Parameters, Ranks, Version);

    /// <summary>The log files' paths, whether or not they exist yet.</summary>
    public string[] Paths => Enumerable.Range(0, Ranks).Select(r => Path.Combine(LargeLogGenerator.Folder,
        string.Create(CultureInfo.InvariantCulture, $"run-{Steps}x{Parameters}-r{r}of{Ranks}-v{Version}-s3.jsonl"))).ToArray();

    /// <summary>Where the child process writes its peak working set.</summary>
    public string PeakFile => Path.Combine(LargeLogGenerator.Folder, string.Create(CultureInfo.InvariantCulture, $"peak-{Steps}x{Parameters}x{Ranks}-v{Version}.txt"));

    /// <summary>The case as the results table shows it.</summary>
    /// <returns>For example <c>1,000,000x200 r1 v2</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Steps:N0}x{Parameters} r{Ranks} v{Version}");
}
