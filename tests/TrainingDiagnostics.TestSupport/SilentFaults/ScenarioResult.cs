using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>How the report did on one planted problem: found, placed, healed.</summary>
public sealed record ScenarioResult
{
    /// <summary>The scenario.</summary>
    public required SilentFaultScenario Scenario { get; init; }

    /// <summary>Whether the plant showed in the run, by the harness's own measure (<see cref="Manifestation"/>).</summary>
    public required bool Manifested { get; init; }

    /// <summary>The harness's evidence for <see cref="Manifested"/>.</summary>
    public required string Evidence { get; init; }

    /// <summary>Whether the report found the problem: a finding of at least warning level with the expected rule id.</summary>
    public required bool Detected { get; init; }

    /// <summary>The first such finding, or null.</summary>
    public Finding? Finding { get; init; }

    /// <summary>Whether a finding placed it right (<see cref="SilentProblems.Placement"/>); null where the problem has no place.</summary>
    public bool? Placed { get; init; }

    /// <summary>
    /// Whether following the finding's remedy (once or twice) made the finding go away and the validation metric recover;
    /// null where no healing applies (a problem outside <see cref="SilentProblems.MustHeal"/> without an applicable remedy).
    /// </summary>
    public bool? Healed { get; init; }

    /// <summary>The remedies the last retraining applied (<see cref="RemedySet.Describe"/>), or why none was applied.</summary>
    public string Healing { get; init; } = "";

    /// <summary>The retrainings done (0 to 2).</summary>
    public int Rounds { get; init; }

    /// <summary>The faulty run's last validation accuracy.</summary>
    public required double FaultyAccuracy { get; init; }

    /// <summary>The healed run's last validation accuracy (NaN when none was trained).</summary>
    public double HealedAccuracy { get; init; } = double.NaN;

    /// <summary>The healthy reference's last validation accuracy.</summary>
    public required double ReferenceAccuracy { get; init; }

    /// <summary>The rule ids of the faulty run's other warnings.</summary>
    public IReadOnlyList<string> OtherWarnings { get; init; } = [];

    /// <summary>The wall-clock time of every training of this scenario (faulty and healed).</summary>
    public required TimeSpan Elapsed { get; init; }
}
