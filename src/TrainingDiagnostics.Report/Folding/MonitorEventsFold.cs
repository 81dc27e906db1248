using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the monitor's records about itself: instrument failures into one summary per instrument (memory bounded by the
/// number of instruments, whatever the number of failures), and the Heal policy's records (few: the policy acts a bounded
/// number of times; at most <see cref="MaxHeals"/> are kept).
/// </summary>
internal sealed class MonitorEventsFold : IRunFold
{
    /// <summary>The most Heal records kept (the monitor's policy acts far fewer times).</summary>
    public const int MaxHeals = 1000;

    private readonly Dictionary<string, InstrumentHealth> _instruments = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly List<HealRecord> _heals = [];

    public void Record(object record)
    {
        switch (record)
        {
            case InstrumentFailureRecord failure:
                Add(failure);
                break;
            case HealRecord heal when _heals.Count < MaxHeals:
                _heals.Add(heal);
                break;
        }
    }

    public MonitorEventsView Finish() => _order.Count == 0 && _heals.Count == 0
        ? MonitorEventsView.Empty
        : new MonitorEventsView { Instruments = _order.Select(n => _instruments[n]).ToList(), Heals = _heals.ToList() };

    private void Add(InstrumentFailureRecord failure)
    {
        if (!_instruments.TryGetValue(failure.Instrument, out var health))
        {
            _order.Add(failure.Instrument);
            health = new InstrumentHealth
            {
                Instrument = failure.Instrument,
                Failures = 0,
                FirstStep = failure.Step,
                FirstStage = failure.Stage,
                FirstMessage = failure.Message,
                FirstExceptionType = failure.ExceptionType,
            };
        }

        _instruments[failure.Instrument] = health with
        {
            Failures = health.Failures + 1,
            StoodDownAt = health.StoodDownAt ?? (failure.StoodDown ? failure.Step : null),
        };
    }
}
