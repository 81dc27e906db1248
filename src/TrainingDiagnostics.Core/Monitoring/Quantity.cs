namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The name of a value that one <see cref="Instrument"/> measures at a step and others read (Cockpit's "quantities"): the
/// untyped face of <see cref="Quantity{T}"/>, the one instruments list in <see cref="Instrument.Publishes"/> and
/// <see cref="Instrument.Requires"/>.
/// </summary>
/// <remarks>
/// A quantity is a key, compared by reference: create each once (a <c>static readonly</c> field) and share the instance
/// between the instrument that publishes it and those that read it. The built-in ones are in <see cref="Quantities"/>.
/// </remarks>
public abstract class Quantity
{
    private static int s_count;

    private protected Quantity(string name, string description, Type valueType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        Name = name;
        Description = description;
        ValueType = valueType;
        Id = Interlocked.Increment(ref s_count);
    }

    /// <summary>Its name, as messages show it (for example <c>"weight-norms"</c>).</summary>
    public string Name { get; }

    /// <summary>What it measures, in the terms of the field, and when it is published.</summary>
    public string Description { get; }

    /// <summary>The type of its value.</summary>
    public Type ValueType { get; }

    /// <summary>A number unique to this instance in the process, 1 and up: a monitor resolves it to a slot once, at its
    /// construction, so that publishing and reading cost an array index.</summary>
    internal int Id { get; }

    /// <summary>A slot that holds this quantity's value in one monitor.</summary>
    internal abstract QuantityStore.Slot CreateSlot(int producer, int instruments);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({ValueType.Name})";
}
