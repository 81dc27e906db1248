using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks.Monitoring;

/// <summary>
/// A paired, interleaved measurement of the monitor's overhead on a busy machine (<c>dotnet run -c Release -- paired</c>):
/// for each setup of <see cref="MonitorSetupBenchmarks"/>, alternate a plain step and a monitored step many times and report
/// the median of the per-pair ratios and the ratio of the total times (which includes work done every n steps). Interleaving cancels slow drifts in the machine's load that separate BenchmarkDotNet
/// cases do not; use it while developing, and BenchmarkDotNet for the committed results.
/// </summary>
public static class PairedStepRatio
{
    /// <summary>Runs every setup and configuration and prints one line per pair of them.</summary>
    /// <param name="args">Optional: the number of pairs (default 300) and the libtorch thread count (default: libtorch's).</param>
    public static void Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300;
        int threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        string[] setups = args.Length > 2 ? args[2].Split(',') : ["784-1024-1024-10 SGD", "784-1024-1024-10 BN Adam", "64-32-32-10 Adam", "64-32-32-10 BN Adam"];
        foreach (var setup in setups)
        {
            var bench = new MonitorSetupBenchmarks { Setup = setup, Threads = threads };
            bench.Setup_();
            Console.WriteLine($"// libtorch threads: {get_num_threads()}");
            var configurations = new (string Name, Action Step)[]
            {
                ("monitor, defaults (run log + metrics)", bench.MonitorDefaults),
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
            var clock = new Stopwatch();
            for (int i = 0; i < pairs; i++)
            {
                clock.Restart();
                bench.Plain();
                double baseline = clock.Elapsed.TotalMicroseconds;
                plain.Add(baseline);
                for (int c = 0; c < configurations.Length; c++)
                {
                    clock.Restart();
                    configurations[c].Step();
                    ratios[c].Add(clock.Elapsed.TotalMicroseconds / baseline);
                    totals[c] += clock.Elapsed.TotalMicroseconds;
                }
            }
            Console.WriteLine($"{setup}: plain step median {Median(plain):F0} µs over {pairs} pairs");
            for (int c = 0; c < configurations.Length; c++)
                Console.WriteLine($"  {configurations[c].Name}: median x{Median(ratios[c]):F3} (quartiles {Quantile(ratios[c], 0.25):F3}-{Quantile(ratios[c], 0.75):F3}), " +
                    $"ratio of totals x{totals[c] / plain.Sum():F3} (scheduled work, such as snapshots, included)");
            bench.Cleanup();
        }
    }

    private static double Median(List<double> values) => Quantile(values, 0.5);

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }
}
