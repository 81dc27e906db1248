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
/// The long-run benchmarks' extra columns: the throughput (the log's bytes per second of the row's mean), the log's bytes
/// per step (all lines, divided by the steps), the bytes of a step line that carries gradient norms only (the monitor's
/// every-step line; every 10th line also carries weight norms and update ratios), and the child process's peak working set.
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
        AddColumn(new ThroughputColumn());
        AddColumn(new FileColumn("Log B/step", c => LogBytesPerStep(c)));
        AddColumn(new FileColumn("Gradient-only step line B", c => GradientOnlyLineBytes(c)));
        AddColumn(new FileColumn("Peak WS (child)", c => PeakWorkingSet(c)));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> GradientOnlyLines = new();

    private static LongRunLog Log(BenchmarkCase c) => (LongRunLog)c.Parameters["Log"];

    private static string LogBytesPerStep(BenchmarkCase c)
    {
        LongRunLog log = Log(c);
        string[] paths = log.Paths;
        return paths.All(File.Exists)
            ? (paths.Sum(p => new FileInfo(p).Length) / (double)log.Steps / log.Ranks).ToString("N0", CultureInfo.InvariantCulture)
            : "?";
    }

    /// <summary>The mean length (with its newline) of the step lines without weight norms, over the whole first log.</summary>
    private static string GradientOnlyLineBytes(BenchmarkCase c)
    {
        string path = Log(c).Paths[0];
        return Log(c).Version == 2 && File.Exists(path) ? GradientOnlyLines.GetOrAdd(path, MeanGradientOnlyLine) : "-";
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

        string file = Log(c).PeakFile;
        return File.Exists(file) ? File.ReadAllText(file).Trim() : "?";
    }

    /// <summary>The log's bytes (10^6) per second of the row's mean time.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "MB/s";

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => -1;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Log bytes (10^6) per second of the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            string[] paths = Log(benchmarkCase).Paths;
            double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return nanoseconds is double ns && ns > 0 && paths.All(File.Exists)
                ? (paths.Sum(p => new FileInfo(p).Length) / 1e6 / (ns / 1e9)).ToString("N0", CultureInfo.InvariantCulture)
                : "?";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
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
