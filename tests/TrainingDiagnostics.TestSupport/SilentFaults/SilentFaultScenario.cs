namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>One benchmark run: a problem planted into a healthy setting (or none, for a healthy control), with its truth.</summary>
/// <param name="Problem">The rule id that must find it (<see cref="SilentProblems"/>), or <see cref="SilentProblems.Healthy"/>.</param>
/// <param name="Setting">The healthy job.</param>
/// <param name="Plant">The mistake planted into it.</param>
/// <param name="Description">The mistake in words, for the results table.</param>
/// <param name="ExpectedPlaces">Where a finding must place it (module paths, parameter names or <c>input</c>); empty where the problem belongs to the whole run.</param>
/// <param name="Seed">The seed of the weights and the batch order.</param>
public sealed record SilentFaultScenario(
    string Problem,
    TrainingSetting Setting,
    FaultPlant Plant,
    string Description,
    IReadOnlyList<string> ExpectedPlaces,
    int Seed = 1)
{
    /// <summary>A healthy control: the setting as it is.</summary>
    public static SilentFaultScenario HealthyControl(TrainingSetting setting, int seed) =>
        new(SilentProblems.Healthy, setting, FaultPlant.None, "none", [], seed);

    /// <summary>The scenario's name in tables: problem, setting and seed.</summary>
    public string Name => $"{Problem} / {Setting.Name} / seed {Seed}";
}
