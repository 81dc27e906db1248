namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// A typed <see cref="Quantity"/>: an instrument that lists it in <see cref="Instrument.Publishes"/> publishes its value
/// with <see cref="InstrumentContext.Publish{T}"/>; one that lists it in <see cref="Instrument.Requires"/> runs after that
/// producer in every stage of the step and reads the value with <see cref="InstrumentContext.TryGet{T}"/>.
/// </summary>
/// <typeparam name="T">The value's type. Publish values nobody changes afterwards (arrays read as
/// <see cref="IReadOnlyList{T}"/>, records): every reader sees the same instance.</typeparam>
/// <remarks>
/// <code>
/// // Shared by the producer and its readers.
/// public static readonly Quantity&lt;double&gt; ZeroGradientShare = new("zero-gradient-share", "the fraction of exactly-zero gradient entries, every 100 steps");
/// </code>
/// </remarks>
public sealed class Quantity<T> : Quantity
{
    /// <summary>Creates a quantity: create each once and share the instance (quantities compare by reference).</summary>
    /// <param name="name">Its name, as messages show it.</param>
    /// <param name="description">What it measures and when it is published.</param>
    public Quantity(string name, string description)
        : base(name, description, typeof(T))
    {
    }

    internal override QuantityStore.Slot CreateSlot(int producer, int instruments) => new QuantityStore.Slot<T>(this, producer, instruments);
}
