using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// A run's incidents, bounded: the first <c>MaxIncidentDetails</c> in full (in log order), the rest counted by kind and
/// module, one group per kind and place for the findings, and the steps the charts mark.
/// </summary>
internal sealed class IncidentsView
{
    public long Count { get; init; }

    /// <summary>The incidents shown in full, in log order.</summary>
    public required IReadOnlyList<AnomalyEvent> Detailed { get; init; }

    /// <summary>Per (kind, phase, module, operation), in order of first appearance: the earliest event and the count.</summary>
    public required IReadOnlyList<(AnomalyEvent First, long Count)> Groups { get; init; }

    /// <summary>The incidents beyond the detailed ones, per (kind, module): count, first and last step.</summary>
    public required IReadOnlyList<(AnomalyKind Kind, string? ModulePath, long Count, long FirstStep, long LastStep)> Rest { get; init; }

    /// <summary>Distinct incident steps, ascending (capped: see <see cref="Folding.IncidentFold.MaxMarkedSteps"/>).</summary>
    public required IReadOnlyList<long> Steps { get; init; }

    public bool AnyCritical { get; init; }
}
