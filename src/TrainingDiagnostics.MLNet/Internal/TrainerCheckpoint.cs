namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// One checkpoint a trainer pushed through ML.NET's progress channel: the values of its metrics at that moment and its
/// progress counters (iterations, examples...), with the names its header gives them.
/// </summary>
/// <param name="Calculation">ML.NET's unique index of the calculation (one per started progress channel).</param>
/// <param name="Name">The calculation's name without ML.NET's <c> #2</c> suffix, for example <c>SDCA training</c>.</param>
/// <param name="MetricNames">The header's metric names, parallel to <paramref name="Metrics"/>.</param>
/// <param name="UnitNames">The header's progress units, parallel to <paramref name="Progress"/>.</param>
/// <param name="Metrics">The metric values; null where the trainer gave none.</param>
/// <param name="Progress">The progress counters; null where the trainer gave none.</param>
internal sealed record TrainerCheckpoint(
    int Calculation,
    string Name,
    IReadOnlyList<string> MetricNames,
    IReadOnlyList<string> UnitNames,
    IReadOnlyList<double?> Metrics,
    IReadOnlyList<double?> Progress);
