using System.Diagnostics.CodeAnalysis;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The published quantities of one monitor: a slot per quantity its instruments publish, resolved once at construction
/// (<see cref="Quantity.Id"/> indexes an array), so that publishing and reading at a step cost an array index and no
/// allocation. A value counts as published when it was published since the step began; nothing is cleared per step.
/// </summary>
/// <remarks>
/// It enforces the declarations the instruments' order is built from: only the producer that lists a quantity in
/// <see cref="Instrument.Publishes"/> may publish it, and an instrument reads only what it lists in
/// <see cref="Instrument.Requires"/> (or publishes itself). The monitor's own stages read everything.
/// </remarks>
internal sealed class QuantityStore
{
    /// <summary>The index of <see cref="Current"/> when the monitor itself, not an instrument, publishes or reads.</summary>
    public const int Monitor = -1;

    private readonly Slot?[] _byId;
    private readonly Slot[] _slots;
    private readonly string[] _names;
    private long _clock;
    private long _stepStart;

    /// <summary>A store for instruments in their running order, with what each publishes and requires.</summary>
    /// <param name="names">The instruments' names, in running order (for messages).</param>
    /// <param name="publishes">Per instrument, the quantities it publishes (no quantity twice over all instruments).</param>
    /// <param name="requires">Per instrument, the quantities it reads (each published by one of the instruments).</param>
    public QuantityStore(string[] names, Quantity[][] publishes, Quantity[][] requires)
    {
        _names = names;
        int maxId = 0;
        foreach (var list in publishes)
            foreach (var q in list)
                maxId = Math.Max(maxId, q.Id);
        _byId = new Slot?[maxId + 1];
        var slots = new List<Slot>();
        for (int i = 0; i < publishes.Length; i++)
        {
            foreach (var q in publishes[i])
            {
                var slot = q.CreateSlot(i, names.Length);
                _byId[q.Id] = slot;
                slots.Add(slot);
            }
        }
        for (int i = 0; i < requires.Length; i++)
            foreach (var q in requires[i])
                _byId[q.Id]!.ReadableBy[i] = true;
        _slots = [.. slots];
    }

    /// <summary>A store with no quantities (an instrument context built outside a monitor).</summary>
    public static QuantityStore Empty() => new([], [], []);

    /// <summary>The running order index of the instrument whose stage runs now, or <see cref="Monitor"/>.</summary>
    public int Current { get; set; } = Monitor;

    /// <summary>Starts a step: what was published before counts no more.</summary>
    public void BeginStep() => _stepStart = _clock;

    /// <summary>A mark: what is published after it can be withdrawn with <see cref="Withdraw"/>.</summary>
    public long Mark() => _clock;

    /// <summary>Withdraws what was published after <paramref name="mark"/> (a failed instrument stage leaves no partial results).</summary>
    public void Withdraw(long mark)
    {
        foreach (var slot in _slots)
            if (slot.Stamp > mark)
                slot.Withdraw();
    }

    public void Publish<T>(Quantity<T> quantity, T value)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        var slot = SlotOf(quantity);
        if (slot is null || slot.Producer != Current)
        {
            string who = Current == Monitor ? "The monitor" : $"The instrument '{_names[Current]}'";
            string producer = slot is null ? "no instrument of this monitor lists it in Publishes" : $"its producer is '{_names[slot.Producer]}'";
            throw new InvalidOperationException(
                $"{who} published the quantity '{quantity.Name}', which it does not declare ({producer}). " +
                $"An instrument publishes only the quantities its Publishes lists: add '{quantity.Name}' to its Publishes (one producer per quantity).");
        }
        var typed = (Slot<T>)slot;
        typed.Value = value;
        typed.Stamp = ++_clock;
    }

    public bool TryGet<T>(Quantity<T> quantity, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        var slot = SlotOf(quantity);
        if (Current != Monitor && (slot is null || (slot.Producer != Current && !slot.ReadableBy[Current])))
        {
            throw new InvalidOperationException(
                $"The instrument '{_names[Current]}' read the quantity '{quantity.Name}' without declaring it. An instrument reads only the " +
                $"quantities its Requires lists, so that the monitor runs their producers first: add '{quantity.Name}' to its Requires.");
        }
        if (slot is Slot<T> typed && typed.Stamp > _stepStart)
        {
            value = typed.Value;
            return true;
        }
        value = default!;
        return false;
    }

    private Slot? SlotOf(Quantity quantity) => quantity.Id < _byId.Length ? _byId[quantity.Id] : null;

    /// <summary>Where one quantity's value lives: its producer, who may read it, and when it was last published.</summary>
    internal abstract class Slot(Quantity quantity, int producer, int instruments)
    {
        public Quantity Quantity { get; } = quantity;

        /// <summary>The running order index of the instrument that publishes it.</summary>
        public int Producer { get; } = producer;

        /// <summary>Per instrument in running order, whether it declared that it reads the quantity.</summary>
        public bool[] ReadableBy { get; } = new bool[instruments];

        /// <summary>The store's clock when it was last published; 0 for never (or withdrawn).</summary>
        public long Stamp { get; set; }

        /// <summary>Forgets the value (and the reference it holds).</summary>
        public abstract void Withdraw();
    }

    internal sealed class Slot<T>(Quantity<T> quantity, int producer, int instruments) : Slot(quantity, producer, instruments)
    {
        public T Value { get; set; } = default!;

        public override void Withdraw()
        {
            Value = default!;
            Stamp = 0;
        }
    }
}
