namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// How a 1D index space of <see cref="Count"/> elements is spread over threads: thread t handles the
/// elements <c>t·ThreadStride + j·Step</c> for j &lt; <see cref="PerThread"/>. One contiguous chunk per
/// thread on the CPU accelerator (small chunks are ~8x slower there), one element per thread with
/// neighbouring threads on neighbouring elements (coalesced) on a GPU.
/// </summary>
internal readonly struct LaunchPlan
{
    public LaunchPlan(long count, int threads, long threadStride, long step, int perThread)
    {
        Count = count;
        Threads = threads;
        ThreadStride = threadStride;
        Step = step;
        PerThread = perThread;
    }

    public readonly long Count;
    public readonly int Threads;
    public readonly long ThreadStride;
    public readonly long Step;
    public readonly int PerThread;

    public long Index(int thread, int j) => thread * ThreadStride + j * Step;

    /// <summary>Contiguous chunks, about one per CPU thread.</summary>
    public static LaunchPlan Chunked(long count, int threads)
    {
        long chunk = Math.Max(1, (count + threads - 1) / threads);
        int used = (int)Math.Max(1, (count + chunk - 1) / chunk);
        return new LaunchPlan(count, used, chunk, 1, (int)chunk);
    }

    /// <summary>Grid-stride: thread t takes t, t + threads, ...; neighbouring threads read neighbouring elements.</summary>
    public static LaunchPlan Strided(long count, int maxThreads)
    {
        int threads = (int)Math.Max(1, Math.Min(count, maxThreads));
        long perThread = (count + threads - 1) / threads;
        return new LaunchPlan(count, threads, 1, threads, (int)Math.Max(1, perThread));
    }
}
