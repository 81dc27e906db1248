using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// A paired, interleaved measurement of the monitor's overhead
/// (<c>dotnet run -c Release -- paired [ROUNDS] [THREADS] [SETUPS] [BLOCK] [wall|cpu]</c>): for each setup of
/// <see cref="MonitorSetupBenchmarks"/>, each round times a block of BLOCK plain steps, then a block of BLOCK steps of
/// each monitored configuration; it reports per configuration the median of the per-round ratios, their quartiles, their
/// 5 % trimmed mean and the ratio of the total times. Interleaving rounds cancels the slow drifts of a shared machine's
/// load that separate BenchmarkDotNet cases do not; blocks of many steps keep each block's own garbage collections and
/// scheduled work (every 10th step) in it, and keep caches as warm as in a training loop (with BLOCK = 1, a plain step
/// right after a monitored one runs colder and flatters the monitor). Prints a Markdown table with the machine and the
/// thread count, to be committed as it is.
/// </summary>
public static class PairedStepRatio
{
    /// <summary>Runs every setup and configuration and prints one table row per pair of them.</summary>
    /// <param name="args">Optional: the number of rounds (default 300), the libtorch thread count (default 0: libtorch's),
    /// the setups, comma-separated (default: all four), the steps per block (default 1), and the clock: <c>wall</c> (the
    /// default) or <c>cpu</c>, the CPU time of the training thread (Linux; on a machine shared with other jobs it leaves out
    /// the time the thread waits for a core, and also the work of other threads: libtorch's pool, the run log's writer).</param>
    public static void Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        string[] setups = args.Length > 2 ? args[2].Split(',') : MonitorSetupBenchmarks.AllSetups;
        int block = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        bool cpu = args.Length > 4 && args[4] == "cpu";
        if (args.Length > 4 && !cpu && args[4] != "wall")
            throw new ArgumentException($"The clock must be 'wall' or 'cpu', not '{args[4]}'.");
        if (cpu && !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("The 'cpu' clock reads the thread's CPU time with clock_gettime, on Linux only; use 'wall'.");
        var rows = new List<string>();
        int libTorchThreads = 0;
        foreach (var setup in setups)
        {
            var bench = new MonitorSetupBenchmarks { Setup = setup, Threads = threads };
            bench.Setup_();
            libTorchThreads = get_num_threads();
            var configurations = new (string Name, Action Step)[]
            {
                ("monitor, defaults (run log + metrics)", bench.MonitorDefaults),
                ("monitor, defaults without activation health and input profile", bench.MonitorDefaultsWithoutSilentFaultMeasurements),
                ("monitor, defaults with activation health every step", bench.MonitorActivationsEveryStep),
                ("monitor, no log, no metrics", bench.MonitorBare),
                ("monitor, Rollback policy (log + metrics)", bench.MonitorRollback),
            };
            for (int warm = 0; warm < 30; warm++)
            {
                bench.Plain();
                foreach (var (_, step) in configurations)
                    step();
            }
            var plain = new List<double>();
            var ratios = configurations.Select(_ => new List<double>()).ToArray();
            var totals = new double[configurations.Length];
            var clock = cpu ? (IStepClock)new ThreadCpuClock() : new WallClock();
            for (int i = 0; i < pairs; i++)
            {
                clock.Restart();
                for (int k = 0; k < block; k++)
                    bench.Plain();
                double baseline = clock.Microseconds;
                plain.Add(baseline / block);
                for (int c = 0; c < configurations.Length; c++)
                {
                    clock.Restart();
                    for (int k = 0; k < block; k++)
                        configurations[c].Step();
                    double elapsed = clock.Microseconds;
                    ratios[c].Add(elapsed / baseline);
                    totals[c] += elapsed;
                }
            }
            for (int c = 0; c < configurations.Length; c++)
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {setup} | {Quantile(plain, 0.5):F0} µs | {configurations[c].Name} | x{Quantile(ratios[c], 0.5):F3} | {Quantile(ratios[c], 0.25):F3}-{Quantile(ratios[c], 0.75):F3} | x{TrimmedMean(ratios[c], 0.025):F3} | x{totals[c] / (plain.Sum() * block):F3} |"));
            bench.Cleanup();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} processors, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}. " +
            $"libtorch intra-op threads: {libTorchThreads} ({(threads > 0 ? "set" : "libtorch's default")}). {pairs} rounds per setup after 30 warm-up rounds; each round times {block} plain step(s), then {block} step(s) of each configuration in turn. " +
            $"Clock: {(cpu ? "CPU time of the training thread" : "wall time")}."));
        Console.WriteLine();
        Console.WriteLine("| setup | plain step (median of blocks) | configuration | median ratio | quartiles | trimmed mean ratio (5 %) | ratio of totals |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (string row in rows)
            Console.WriteLine(row);
    }

    /// <summary>Times a block of steps.</summary>
    private interface IStepClock
    {
        void Restart();

        double Microseconds { get; }
    }

    private sealed class WallClock : IStepClock
    {
        private readonly Stopwatch _watch = new();

        public double Microseconds => _watch.Elapsed.TotalMicroseconds;

        public void Restart() => _watch.Restart();
    }

    /// <summary>The calling thread's CPU time (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).</summary>
    private sealed class ThreadCpuClock : IStepClock
    {
        private const int ClockThreadCpuTime = 3;
        private double _start;

        public double Microseconds => Now() - _start;

        public void Restart() => _start = Now();

        private static double Now()
        {
            if (clock_gettime(ClockThreadCpuTime, out var time) != 0)
                throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed (errno {Marshal.GetLastPInvokeError()}).");
            return time.Seconds * 1e6 + time.Nanoseconds / 1e3;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int clock_gettime(int clock, out TimeSpec time);
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    /// <summary>The mean of the values left after dropping <paramref name="tail"/> of them at each end.</summary>
    private static double TrimmedMean(List<double> values, double tail)
    {
        var sorted = values.Order().ToArray();
        int drop = (int)(tail * sorted.Length);
        return sorted[drop..^drop].Average();
    }
}
