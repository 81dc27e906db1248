namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>Every result of a silent-fault benchmark run, and its rates.</summary>
/// <param name="Faults">One result per planted problem.</param>
/// <param name="Healthy">One result per healthy control.</param>
/// <param name="Elapsed">The benchmark's wall-clock time.</param>
/// <param name="Threads">libtorch's intra-op threads during the run.</param>
public sealed record BenchmarkResult(IReadOnlyList<ScenarioResult> Faults, IReadOnlyList<HealthyResult> Healthy, TimeSpan Elapsed, int Threads)
{
    /// <summary>The results of one problem.</summary>
    public IReadOnlyList<ScenarioResult> Of(string problem) => Faults.Where(f => f.Scenario.Problem == problem).ToList();

    /// <summary>Detected runs over all runs.</summary>
    public (int Hits, int Total) Detection => (Faults.Count(f => f.Detected), Faults.Count);

    /// <summary>Rightly placed runs over the runs whose problem has a place.</summary>
    public (int Hits, int Total) Placement => (Faults.Count(f => f.Placed == true), Faults.Count(f => f.Placed is not null));

    /// <summary>Healed runs over the runs where healing applies.</summary>
    public (int Hits, int Total) Healing => (Faults.Count(f => f.Healed == true), Faults.Count(f => f.Healed is not null));

    /// <summary>The warnings on healthy controls, all together.</summary>
    public int HealthyWarnings => Healthy.Sum(h => h.Warnings.Count);
}
