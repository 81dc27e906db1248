using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>
/// Issue targets for long runs (logs of 200 parameters): <c>tdiag report</c> at disk speed, at least 250 MB/s of
/// schema-2 log (1,000,000 steps in at most 12 s) and 100 MB/s of version-1 log, memory bounded (8 rank logs of 100,000
/// steps within the memory of one). Rows: the baseline reads the log(s) once, a plain sequential read of the bytes (the
/// least any report must do: the ratio says what the report costs on top of the disk); the streaming report in-process
/// (time, allocated bytes); the same report in a child process whose peak working set (VmHWM) is the "Peak WS" column.
/// "MB/s" is the log's bytes (10^6) per second of the row's mean; "Log B/step" the log's size per step and rank. One log
/// is parsed on a second thread while the fold runs (rank logs are merged on one thread). Two iterations, no warm-up, in
/// process (see <see cref="LongRunColumns"/>): each operation takes seconds to minutes.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*LongRunReport*' --exporters github</c>.
/// Logs are generated once into <see cref="LargeLogGenerator.Folder"/> (seeded) and reused: about 7 GB in all.
/// </remarks>
[MemoryDiagnoser(false)]
[Config(typeof(LongRunColumns))]
public class LongRunReportBenchmarks
{
    private string[] _logs = [];
    private string _output = "";

    /// <summary>The cases: the schema-2 log at 100,000 and 1,000,000 steps, 8 rank logs, and a version-1 log.</summary>
    public static IEnumerable<LongRunLog> Logs() =>
    [
        new(100_000, 200, 1, 2),
        new(1_000_000, 200, 1, 2),
        new(100_000, 200, 8, 2),
        new(100_000, 200, 1, 1),
    ];

    /// <summary>The case of this run.</summary>
    [ParamsSource(nameof(Logs))]
    public LongRunLog Log { get; set; } = new(100_000, 200, 1, 2);

    [GlobalSetup]
    public void Setup()
    {
        _logs = Log.Ensure();
        _output = Path.Combine(LargeLogGenerator.Folder, string.Create(CultureInfo.InvariantCulture, $"report-{Log.Steps}x{Log.Parameters}x{Log.Ranks}-v{Log.Version}.html"));
        long bytes = _logs.Sum(p => new FileInfo(p).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Log}: {bytes:N0} bytes, {bytes / (double)Log.Steps / Log.Ranks:N0} B/step; threads: {(Log.Ranks == 1 ? 2 : 1)} (parse and fold{(Log.Ranks == 1 ? " in parallel" : ", merged ranks")}), processors: {Environment.ProcessorCount}"));
    }

    [Benchmark(Baseline = true, Description = "read the log(s) once")]
    public long ReadOnce()
    {
        long bytes = 0;
        var buffer = new byte[1 << 20];
        foreach (string path in _logs)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                bytes += read;
            }
        }

        return bytes;
    }

    [Benchmark(Description = "streaming report (in-process)")]
    public long Report() => HtmlReport.WriteLogs(_logs, _output).StepCount;

    [Benchmark(Description = "streaming report (child process)")]
    public long ReportInChildProcess()
    {
        string host = Environment.GetEnvironmentVariable(Program.HostVariable)
            ?? throw new InvalidOperationException($"{Program.HostVariable} is not set: run through the benchmarks' Program.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(Program.ReportChildCommand);
        start.ArgumentList.Add(Log.PeakFile);
        start.ArgumentList.Add(_output);
        foreach (string log in _logs)
        {
            start.ArgumentList.Add(log);
        }

        using Process process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? text.Length : throw new InvalidOperationException("The child report failed: " + text);
    }
}
