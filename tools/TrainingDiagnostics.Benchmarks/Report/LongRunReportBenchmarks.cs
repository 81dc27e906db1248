using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>
/// Issue targets for long runs (schema-2 logs of 200 parameters): <c>tdiag report</c> of 100,000 steps in at most 8 s and
/// 400 MB, 8 rank logs of 100,000 steps within the same memory. Rows: the baseline reads the log(s) once (the least any
/// report must do: the ratio says what the report costs on top); the streaming report in-process (time, allocated
/// bytes); the same report in a child process whose peak working set (VmHWM) is the "Peak WS" column. The
/// "Log B/step" column is the log's size per step and rank. One log is parsed on a second thread while the fold runs (rank
/// logs are merged on one thread). Two iterations, no warm-up, in
/// process (see <see cref="LongRunColumns"/>): each operation takes seconds to minutes.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*LongRunReport*' --exporters github</c>.
/// Logs are generated once into <see cref="LargeLogGenerator.Folder"/> (seeded) and reused.
/// </remarks>
[MemoryDiagnoser(false)]
[Config(typeof(LongRunColumns))]
public class LongRunReportBenchmarks
{
    private string[] _logs = [];
    private string _output = "";

    /// <summary>Steps per rank.</summary>
    [Params(100_000)]
    public int Steps { get; set; }

    /// <summary>Parameter tensors per step.</summary>
    [Params(200)]
    public int Parameters { get; set; }

    /// <summary>Rank logs of the run (merged by step).</summary>
    [Params(1, 8)]
    public int Ranks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _logs = LargeLogGenerator.Ensure(Steps, Parameters, Ranks);
        _output = Path.Combine(LargeLogGenerator.Folder, string.Create(CultureInfo.InvariantCulture, $"report-{Steps}x{Parameters}x{Ranks}.html"));
        long bytes = _logs.Sum(p => new FileInfo(p).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Ranks} log(s) of {Steps:N0} steps x {Parameters} parameters: {bytes:N0} bytes, {bytes / (double)Steps / Ranks:N0} B/step; threads: {(Ranks == 1 ? 2 : 1)} (parse and fold{(Ranks == 1 ? " in parallel" : ", merged ranks")}), processors: {Environment.ProcessorCount}"));
    }

    [Benchmark(Baseline = true, Description = "read the log(s) once")]
    public long ReadOnce()
    {
        long lines = 0;
        var buffer = new byte[1 << 20];
        foreach (string path in _logs)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        return lines;
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
        start.ArgumentList.Add(LongRunColumns.PeakFile(Steps, Parameters, Ranks));
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
