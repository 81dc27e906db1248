using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>
/// The long-run benchmarks' extra columns: the log's bytes per step (all lines, divided by the steps), the bytes of a step
/// line that carries gradient norms only (the monitor's every-step line; every 10th line also carries weight norms and
/// update ratios), and the child process's peak working set.
/// </summary>
public sealed class LongRunColumns : ManualConfig
{
    /// <summary>Adds the columns.</summary>
    public LongRunColumns()
    {
        // In process: the project BenchmarkDotNet would generate copies libtorch and does not build within its 2-minute
        // limit on a loaded 2-core machine. The child-process row still measures a separate process's peak.
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(2)
            .WithToolchain(InProcessEmitToolchain.Instance).WithId("InProcess"));
        AddColumn(new FileColumn("Log B/step", c => LogBytesPerStep(c)));
        AddColumn(new FileColumn("Gradient-only step line B", c => GradientOnlyLineBytes(c)));
        AddColumn(new FileColumn("Peak WS (child)", c => PeakWorkingSet(c)));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> GradientOnlyLines = new();

    /// <summary>Where the child process writes its peak working set.</summary>
    public static string PeakFile(int steps, int parameters, int ranks) =>
        Path.Combine(LargeLogGenerator.Folder, string.Create(CultureInfo.InvariantCulture, $"peak-{steps}x{parameters}x{ranks}.txt"));

    private static (int Steps, int Parameters, int Ranks) Size(BenchmarkCase c) =>
        ((int)c.Parameters["Steps"], (int)c.Parameters["Parameters"], (int)c.Parameters["Ranks"]);

    private static string[] LogPaths(BenchmarkCase c)
    {
        (int steps, int parameters, int ranks) = Size(c);
        return Enumerable.Range(0, ranks).Select(r => Path.Combine(LargeLogGenerator.Folder,
            string.Create(CultureInfo.InvariantCulture, $"run-{steps}x{parameters}-r{r}of{ranks}-v2-s3.jsonl"))).ToArray();
    }

    private static string LogBytesPerStep(BenchmarkCase c)
    {
        (int steps, _, int ranks) = Size(c);
        string[] paths = LogPaths(c);
        return paths.All(File.Exists)
            ? (paths.Sum(p => new FileInfo(p).Length) / (double)steps / ranks).ToString("N0", CultureInfo.InvariantCulture)
            : "?";
    }

    /// <summary>The mean length (with its newline) of the step lines without weight norms, over the whole first log.</summary>
    private static string GradientOnlyLineBytes(BenchmarkCase c)
    {
        string path = LogPaths(c)[0];
        return File.Exists(path) ? GradientOnlyLines.GetOrAdd(path, MeanGradientOnlyLine) : "?";
    }

    private static string MeanGradientOnlyLine(string path)
    {
        long bytes = 0, lines = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal) && !line.Contains("\"weightNorms\"", StringComparison.Ordinal))
            {
                bytes += System.Text.Encoding.UTF8.GetByteCount(line) + 1;
                lines++;
            }
        }

        return lines == 0 ? "-" : (bytes / (double)lines).ToString("N0", CultureInfo.InvariantCulture);
    }

    private static string PeakWorkingSet(BenchmarkCase c)
    {
        if (!c.Descriptor.WorkloadMethod.Name.Contains("Child", StringComparison.Ordinal))
        {
            return "-";
        }

        (int steps, int parameters, int ranks) = Size(c);
        string file = PeakFile(steps, parameters, ranks);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : "?";
    }

    private sealed class FileColumn(string name, Func<BenchmarkCase, string> value) : IColumn
    {
        public string Id => name;

        public string ColumnName => name;

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => false;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => name;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(benchmarkCase);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
