using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.View;

/// <summary>What the monitor recorded about itself: the failures of its instruments (per instrument) and the Heal policy's actions.</summary>
internal sealed class MonitorEventsView
{
    public static MonitorEventsView Empty { get; } = new() { Instruments = [], Heals = [] };

    /// <summary>One entry per instrument that failed at least once, in order of first failure.</summary>
    public required IReadOnlyList<InstrumentHealth> Instruments { get; init; }

    /// <summary>The Heal policy's records (actions and outcomes), in log order (bounded by <see cref="Folding.MonitorEventsFold.MaxHeals"/>).</summary>
    public required IReadOnlyList<HealRecord> Heals { get; init; }
}
