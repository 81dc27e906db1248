using static TorchSharp.torch;

namespace TrainingDiagnostics.Benchmarks;

/// <summary>Sets and prints the thread counts a benchmark runs with, so that every exported result says its setup.</summary>
public static class BenchmarkThreads
{
    /// <summary>libtorch's own default, read before any benchmark changes it: in-process runs share one libtorch, whose thread
    /// count stays as the last benchmark left it, so "default" must be set back explicitly.</summary>
    private static readonly int LibTorchDefault = get_num_threads();

    /// <summary>Sets libtorch's intra-op threads (0 keeps libtorch's default) and prints them with the .NET processor count.</summary>
    /// <param name="libTorchThreads">The libtorch thread count, or 0 for libtorch's default.</param>
    /// <param name="benchmark">The benchmark's name, printed with the counts.</param>
    public static void Use(int libTorchThreads, string benchmark)
    {
        set_num_threads(libTorchThreads > 0 ? libTorchThreads : LibTorchDefault);
        Console.WriteLine($"// {benchmark}: libtorch intra-op threads {get_num_threads()} ({(libTorchThreads > 0 ? "set" : "libtorch's default")}), " +
            $".NET processors {Environment.ProcessorCount}");
    }
}
