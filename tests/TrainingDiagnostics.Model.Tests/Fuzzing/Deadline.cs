namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>Runs a fuzzed case on a thread of its own and fails it if it does not end in time: a hang is a defect too.</summary>
internal static class Deadline
{
    /// <summary>Runs <paramref name="body"/>; rethrows what it throws; throws <see cref="TimeoutException"/> after <paramref name="limit"/>.</summary>
    public static void Run(Action body, TimeSpan limit, string what)
    {
        Task task = Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (Task.WaitAny([task], limit) < 0)
        {
            throw new TimeoutException($"{what} did not end within {limit.TotalSeconds:F0} s: a hang.");
        }

        task.GetAwaiter().GetResult();
    }
}
