using Microsoft.Extensions.Logging;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Runs the monitor's instruments and contains their failures: an exception in any stage of an instrument never leaves
/// <see cref="TrainingMonitor.Step"/>. What the instrument recorded in the failed stage is discarded, its later stages are
/// skipped for that step, the failure becomes an <see cref="InstrumentFailureRecord"/>, and after
/// <see cref="MonitorOptions.InstrumentFailureLimit"/> failing steps in a row the instrument stands down for the rest of the run.
/// It runs them in the order their declared quantities give (<see cref="InstrumentOrder"/>), and holds their published
/// quantities (<see cref="Store"/>).
/// </summary>
internal sealed class InstrumentRunner
{
    private readonly Slot[] _slots;
    private readonly List<Slot> _due = [];
    private readonly int _limit;
    private readonly ILogger? _logger;
    private readonly Action<InstrumentFailureRecord> _record;

    /// <exception cref="InvalidOperationException">The instruments' declared quantities admit no order (see <see cref="InstrumentOrder.Sort"/>).</exception>
    public InstrumentRunner(IReadOnlyList<Instrument> instruments, int failureLimit, ILogger? logger, Action<InstrumentFailureRecord> record)
    {
        var (order, publishes, requires) = InstrumentOrder.Sort(instruments);
        _slots = order.Select((i, index) => new Slot(i, index)).ToArray();
        Store = new QuantityStore([.. order.Select(i => i.Name)], publishes, requires);
        _limit = failureLimit;
        _logger = logger;
        _record = record;
    }

    /// <summary>The instruments' published quantities; the monitor reads them after the instruments' stages.</summary>
    public QuantityStore Store { get; }

    /// <summary>The instruments' names in running order.</summary>
    public IReadOnlyList<string> Order => _slots.Select(s => s.Instrument.Name).ToList();

    /// <summary>Names of the instruments that stood down, in the order they did.</summary>
    public IReadOnlyList<string> StoodDown => _slots.Where(s => s.StoodDown).OrderBy(s => s.StoodDownAt).Select(s => s.Instrument.Name).ToList();

    /// <summary>Picks the instruments due at <paramref name="step"/> (a failing <see cref="Instrument.IsDue"/> counts as a failure).</summary>
    public void Begin(long step)
    {
        _due.Clear();
        Store.BeginStep();
        foreach (var slot in _slots)
        {
            if (slot.StoodDown)
                continue;
            slot.FailedThisStep = false;
            bool due;
            try
            {
                due = slot.Instrument.IsDue(step);
            }
            catch (Exception e)
            {
                Fail(slot, step, nameof(Instrument.IsDue), e);
                continue;
            }
            if (due)
                _due.Add(slot);
        }
    }

    public void BeforeForward(InstrumentContext context) => Run(context, nameof(Instrument.BeforeForward), static (i, c) => i.BeforeForward(c));

    public void Queue(InstrumentContext context) => Run(context, nameof(Instrument.Queue), static (i, c) => i.Queue(c));

    public void Compute(InstrumentContext context) => Run(context, nameof(Instrument.Compute), static (i, c) => i.Compute(c));

    /// <summary>The last stage; closes the step's count of failures in a row.</summary>
    public void AfterDecision(InstrumentContext context)
    {
        Run(context, nameof(Instrument.AfterDecision), static (i, c) => i.AfterDecision(c));
        foreach (var slot in _due)
            if (!slot.FailedThisStep)
                slot.Consecutive = 0;
    }

    /// <summary>Clears the step's due list (also after a step that threw).</summary>
    public void End() => _due.Clear();

    /// <summary>Disposes every instrument; a failing Dispose is logged, never thrown.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            try
            {
                slot.Instrument.Dispose();
            }
            catch (Exception e)
            {
                _logger?.LogWarning("The instrument '{Instrument}' failed to dispose: {Message}", slot.Instrument.Name, e.Message);
            }
        }
    }

    private void Run(InstrumentContext context, string stage, Action<Instrument, InstrumentContext> call)
    {
        foreach (var slot in _due)
        {
            if (slot.FailedThisStep)
                continue;
            var mark = context.Mark();
            context.Store.Current = slot.Index;
            try
            {
                call(slot.Instrument, context);
            }
            catch (Exception e)
            {
                context.Discard(mark);
                Fail(slot, context.Step, stage, e);
            }
            finally
            {
                context.Store.Current = QuantityStore.Monitor;
            }
        }
    }

    private void Fail(Slot slot, long step, string stage, Exception e)
    {
        slot.FailedThisStep = true;
        slot.Consecutive++;
        bool standDown = slot.Consecutive >= _limit;
        if (standDown)
        {
            slot.StoodDown = true;
            slot.StoodDownAt = step;
        }
        string message = FirstLine(e.Message);
        _record(new InstrumentFailureRecord
        {
            Step = step,
            Instrument = slot.Instrument.Name,
            Stage = stage,
            ExceptionType = e.GetType().Name,
            Message = message,
            ConsecutiveFailures = slot.Consecutive,
            StoodDown = standDown,
        });
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private sealed class Slot(Instrument instrument, int index)
    {
        public Instrument Instrument { get; } = instrument;

        /// <summary>Its place in the running order (the quantity store's index of it).</summary>
        public int Index { get; } = index;
        public int Consecutive { get; set; }
        public bool FailedThisStep { get; set; }
        public bool StoodDown { get; set; }
        public long StoodDownAt { get; set; }
    }
}
