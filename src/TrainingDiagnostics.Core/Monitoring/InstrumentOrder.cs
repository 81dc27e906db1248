namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The order in which the monitor runs its instruments' stages, from what they declare: every producer of a quantity
/// runs before the instruments that list it in <see cref="Instrument.Requires"/> (a topological order); instruments that
/// do not depend on each other keep the order of the list. The place of an instrument in the list therefore decides
/// nothing that matters: the instruments share nothing but declared quantities.
/// </summary>
internal static class InstrumentOrder
{
    /// <summary>Orders <paramref name="instruments"/> and reads each one's declarations once.</summary>
    /// <returns>The instruments in running order, with what each publishes and requires.</returns>
    /// <exception cref="InvalidOperationException">A quantity that two instruments publish, a required quantity that no
    /// instrument publishes, or a cycle of requirements; the message names the instruments and quantities.</exception>
    public static (Instrument[] Order, Quantity[][] Publishes, Quantity[][] Requires) Sort(IReadOnlyList<Instrument> instruments)
    {
        int n = instruments.Count;
        var publishes = new Quantity[n][];
        var requires = new Quantity[n][];
        var producer = new Dictionary<Quantity, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
        {
            publishes[i] = Declared(instruments[i], instruments[i].Publishes, nameof(Instrument.Publishes));
            requires[i] = Declared(instruments[i], instruments[i].Requires, nameof(Instrument.Requires));
            foreach (var q in publishes[i])
            {
                if (producer.TryGetValue(q, out int other))
                {
                    throw new InvalidOperationException(
                        $"The quantity '{q.Name}' is published by two instruments, '{instruments[other].Name}' and '{instruments[i].Name}': " +
                        "a quantity has one producer, so that its readers know whose value they read. Give one of them a quantity of its own.");
                }
                producer[q] = i;
            }
        }

        // The instruments each one waits for: the producers of what it requires (its own quantities excepted).
        var waitsFor = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            waitsFor[i] = [];
            foreach (var q in requires[i])
            {
                if (!producer.TryGetValue(q, out int p))
                {
                    throw new InvalidOperationException(
                        $"The instrument '{instruments[i].Name}' requires the quantity '{q.Name}', which no instrument of this monitor publishes. " +
                        $"Add the instrument that lists '{q.Name}' in its Publishes to MonitorOptions.Instruments, or take '{q.Name}' out of " +
                        $"'{instruments[i].Name}'.Requires.");
                }
                if (p != i && !waitsFor[i].Contains(p))
                    waitsFor[i].Add(p);
            }
        }

        // Kahn's algorithm, taking at each turn the first ready instrument of the list: a stable topological order.
        var placed = new bool[n];
        var order = new List<int>(n);
        while (order.Count < n)
        {
            int next = -1;
            for (int i = 0; i < n && next < 0; i++)
                if (!placed[i] && waitsFor[i].TrueForAll(p => placed[p]))
                    next = i;
            if (next < 0)
                throw Cycle(instruments, waitsFor, placed, requires, producer);
            placed[next] = true;
            order.Add(next);
        }
        return ([.. order.Select(i => instruments[i])], [.. order.Select(i => publishes[i])], [.. order.Select(i => requires[i])]);
    }

    private static Quantity[] Declared(Instrument instrument, IReadOnlyCollection<Quantity>? declared, string property)
    {
        if (declared is null)
            throw new InvalidOperationException($"The instrument '{instrument.Name}' returned null from {property}; return an empty list to declare none.");
        var list = new List<Quantity>(declared.Count);
        foreach (var q in declared)
        {
            if (q is null)
                throw new InvalidOperationException($"The instrument '{instrument.Name}' lists a null quantity in {property}.");
            if (!list.Contains(q))
                list.Add(q);
        }
        return [.. list];
    }

    /// <summary>Names one cycle among the instruments left unplaced (each of them waits for another one left).</summary>
    private static InvalidOperationException Cycle(IReadOnlyList<Instrument> instruments, List<int>[] waitsFor, bool[] placed,
        Quantity[][] requires, Dictionary<Quantity, int> producer)
    {
        int start = Array.IndexOf(placed, false);
        var path = new List<int>();
        int current = start;
        while (!path.Contains(current))
        {
            path.Add(current);
            current = waitsFor[current].First(p => !placed[p]);
        }
        var cycle = path.Skip(path.IndexOf(current)).ToList();
        var links = cycle.Select((i, k) =>
        {
            int waitsOn = k + 1 < cycle.Count ? cycle[k + 1] : cycle[0];
            var q = requires[i].First(r => producer[r] == waitsOn);
            return $"'{instruments[i].Name}' requires '{q.Name}' from '{instruments[waitsOn].Name}'";
        });
        return new InvalidOperationException(
            $"The instruments' requirements form a cycle, so no order runs every producer before its readers: {string.Join(", ", links)}. " +
            "Break it: let one of them measure what it needs itself, or merge them into one instrument.");
    }
}
