using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks;

/// <summary>Sets and prints the thread counts a benchmark runs with, so that every exported result says its setup.</summary>
public static class BenchmarkThreads
{
    /// <summary>Sets libtorch's intra-op threads (0 keeps libtorch's default) and prints them with the .NET processor count.</summary>
    /// <param name="libTorchThreads">The libtorch thread count, or 0 for libtorch's default.</param>
    /// <param name="benchmark">The benchmark's name, printed with the counts.</param>
    public static void Use(int libTorchThreads, string benchmark)
    {
        if (libTorchThreads > 0)
            set_num_threads(libTorchThreads);
        Console.WriteLine($"// {benchmark}: libtorch intra-op threads {get_num_threads()} ({(libTorchThreads > 0 ? "set" : "libtorch's default")}), " +
            $".NET processors {Environment.ProcessorCount}");
    }
}
