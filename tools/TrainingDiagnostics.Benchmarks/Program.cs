using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using TrainingDiagnostics.Benchmarks.Monitoring;
using TrainingDiagnostics.Benchmarks.Report;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Benchmarks;

/// <summary>
/// Runs the benchmark classes of this assembly, for example:
/// <c>dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*JacobianDiagonal*' --job short</c>.
/// Two more commands: <c>report-child PEAKFILE OUT.html LOG...</c> (a streaming report whose peak working set is written
/// to PEAKFILE: the child process of <see cref="LongRunReportBenchmarks"/>), <c>generate STEPS PARAMETERS RANKS [VERSION]</c>,
/// <c>paired [ROUNDS] [THREADS] [SETUPS] [BLOCK] [wall|cpu]</c> (<see cref="PairedStepRatio"/>: the monitor's overhead, interleaved), and
/// <c>silent-faults [--reduced] [OUT.md]</c> (<see cref="SilentFaultsCommand"/>: detection, placement and healing of planted problems).
/// </summary>
public static class Program
{
    /// <summary>The environment variable holding this assembly's path, for benchmarks that start it as a child process.</summary>
    public const string HostVariable = "TDIAG_BENCH_HOST";

    /// <summary>The command of the child process.</summary>
    public const string ReportChildCommand = "report-child";

    /// <summary>The entry point.</summary>
    /// <param name="args">BenchmarkDotNet's arguments, or one of the two commands.</param>
    /// <returns>The exit code.</returns>
    public static int Main(string[] args)
    {
        if (args.Length >= 4 && args[0] == ReportChildCommand)
        {
            var clock = Stopwatch.StartNew();
            ReportSummary summary = HtmlReport.WriteLogs(args[3..], args[2]);
            clock.Stop();
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            string text = string.Create(CultureInfo.InvariantCulture, $"{peak / (1024.0 * 1024.0):N0} MB");
            File.WriteAllText(args[1], text);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{summary.StepCount} steps, verdict {summary.Verdict.Label}, {clock.Elapsed.TotalSeconds:0.00} s, peak working set {text}"));
            return 0;
        }

        if (args.Length >= 4 && args[0] == "generate")
        {
            int version = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2;
            foreach (string path in LargeLogGenerator.Ensure(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), version))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path} {new FileInfo(path).Length:N0} bytes"));
            }

            return 0;
        }

        if (args.Length > 0 && args[0] == SilentFaultsCommand.Name)
        {
            return SilentFaultsCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "paired")
        {
            PairedStepRatio.Run(args[1..]);
            return 0;
        }

        Environment.SetEnvironmentVariable(HostVariable, typeof(Program).Assembly.Location);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
