namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// An optional measurement of the <see cref="TrainingMonitor"/>: a name, a <see cref="Schedule"/> that says at which steps
/// it runs, a declared <see cref="CostTier"/>, the <see cref="Quantity">quantities</see> it publishes and requires, and its
/// compute. The monitor calls the stages of a due instrument in the order of a step; override the ones you need (usually
/// <see cref="Queue"/> and <see cref="Compute"/>).
/// </summary>
/// <remarks>
/// <para>The built-in instruments are weight norms, update-to-weight ratios, BatchNorm batch variances, activation health
/// (dead and saturated units), the input profile, TensorBoard histograms and curvature; <see cref="MonitorOptions.ForTier"/>
/// sets their schedules. Add your own through
/// <see cref="MonitorOptions.Instruments"/>:</para>
/// <code>
/// // The fraction of exactly-zero gradient entries of every weight matrix, every 100 steps, read with the step's one transfer.
/// sealed class ZeroGradientFraction() : Instrument("zero-grad-fraction", CostTier.Business, Schedule.Every(100))
/// {
///     private readonly List&lt;(string Name, DeviceRead Read)&gt; _reads = [];
///     public override void Queue(InstrumentContext context)
///     {
///         _reads.Clear();
///         for (int i = 0; i &lt; context.Parameters.Count; i++)
///             if (context.Parameters[i].grad is { } g &amp;&amp; g.dim() == 2)
///                 _reads.Add((context.ParameterNames[i], context.Reads.Add((g == 0).to(torch.float64).mean())));
///     }
///     public override void Compute(InstrumentContext context)
///     {
///         foreach (var (name, read) in _reads)
///             context.RecordMetric($"zero_grad_fraction/{name}", context.Reads[read]);
///     }
/// }
/// </code>
/// <para>Instruments share what they measure as <see cref="Quantity">quantities</see>, through the context every instrument
/// gets, the built-in ones as yours: a producer lists a quantity in <see cref="Publishes"/> and calls
/// <see cref="InstrumentContext.Publish{T}"/>; a reader lists it in <see cref="Requires"/> and calls
/// <see cref="InstrumentContext.TryGet{T}"/>. The monitor runs every producer's stages before its readers' (the order of
/// <see cref="MonitorOptions.Instruments"/> does not matter) and refuses at its construction a required quantity that no
/// instrument publishes, a quantity with two producers, and a cycle. The built-in quantities are in <see cref="Quantities"/>:</para>
/// <code>
/// // Update-to-weight ratios of the weight matrices only, from the built-in update-ratio instrument's quantity
/// // (host values: due at every step, it costs nothing where the ratios were not measured).
/// sealed class MatrixUpdateRatio() : Instrument("matrix-update-ratio", CostTier.Economy, Schedule.Every(1))
/// {
///     public override IReadOnlyCollection&lt;Quantity&gt; Requires { get; } = [Quantities.UpdateRatios];
///     public override void Compute(InstrumentContext context)
///     {
///         if (!context.TryGet(Quantities.UpdateRatios, out var ratios))
///             return; // not measured at this step
///         for (int i = 0; i &lt; ratios.Count; i++)
///             if (context.Parameters[i].dim() == 2 &amp;&amp; ratios[i] is { } r)
///                 context.RecordMetric($"matrix_update_ratio/{context.ParameterNames[i]}", r);
///     }
/// }
/// </code>
/// <para>Tensors created in <see cref="Queue"/> belong to the step's dispose scope. An instrument instance belongs to one
/// monitor, which disposes it with itself. Instruments never run during a replay.</para>
/// </remarks>
public abstract class Instrument : IDisposable
{
    /// <summary>Creates an instrument.</summary>
    /// <param name="name">Its name, as it appears in metric names and messages.</param>
    /// <param name="tier">What it costs: the cheapest tier in which it belongs.</param>
    /// <param name="schedule">The steps at which it runs.</param>
    protected Instrument(string name, CostTier tier, Schedule schedule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(schedule);
        Name = name;
        Tier = tier;
        Schedule = schedule;
    }

    /// <summary>Creates an instrument that runs on the default schedule of its tier (<see cref="Schedule.ForTier"/>): every 10
    /// steps for <see cref="CostTier.Economy"/>, every 50 for <see cref="CostTier.Business"/>, every step for <see cref="CostTier.Full"/>.</summary>
    /// <param name="name">Its name, as it appears in metric names and messages.</param>
    /// <param name="tier">What it costs: the cheapest tier in which it belongs; it sets the schedule.</param>
    protected Instrument(string name, CostTier tier)
        : this(name, tier, Schedule.ForTier(tier))
    {
    }

    /// <summary>The instrument's name.</summary>
    public string Name { get; }

    /// <summary>What it costs: the cheapest <see cref="CostTier"/> in which it belongs. An instrument created without a
    /// schedule runs on its tier's (<see cref="Schedule.ForTier"/>).</summary>
    public CostTier Tier { get; }

    /// <summary>The steps at which it runs, fixed at its creation.</summary>
    public Schedule Schedule { get; }

    /// <summary>
    /// The quantities this instrument publishes with <see cref="InstrumentContext.Publish{T}"/> (none by default). Each
    /// quantity has one producer in a monitor. The monitor reads this once, at its construction.
    /// </summary>
    public virtual IReadOnlyCollection<Quantity> Publishes => [];

    /// <summary>
    /// The quantities this instrument reads with <see cref="InstrumentContext.TryGet{T}"/> (none by default): their producers
    /// run before it in every stage of a step, whatever the order of the instrument list. A producer that is not due at a step
    /// (or failed) publishes nothing, and <see cref="InstrumentContext.TryGet{T}"/> says so. The monitor reads this once, at
    /// its construction, and refuses a quantity that none of its instruments publishes.
    /// </summary>
    public virtual IReadOnlyCollection<Quantity> Requires => [];

    /// <summary>Whether it runs at <paramref name="step"/>: by default when its <see cref="Schedule"/> is due. Override to run
    /// at extra steps (the update-ratio instrument runs the step after its schedule fires, to measure that step's update).</summary>
    /// <param name="step">The training step.</param>
    /// <returns>True when the monitor calls its stages at this step.</returns>
    public virtual bool IsDue(long step) => Schedule.IsDue(step);

    /// <summary>Runs before the step's forward pass (for example to switch a hook on).</summary>
    /// <param name="context">The step.</param>
    public virtual void BeforeForward(InstrumentContext context)
    {
    }

    /// <summary>Runs after the backward pass: queue the device values to read with the step's one transfer in
    /// <see cref="InstrumentContext.Reads"/>. Gradients are in the parameters' <c>.grad</c>.</summary>
    /// <param name="context">The step.</param>
    public virtual void Queue(InstrumentContext context)
    {
    }

    /// <summary>Runs after the transfer, before the policy decides: read the queued values, record metrics, report anomalies.</summary>
    /// <param name="context">The step.</param>
    public abstract void Compute(InstrumentContext context);

    /// <summary>Runs after the policy decided (<see cref="InstrumentContext.WillStep"/> says whether the optimizer steps).</summary>
    /// <param name="context">The step.</param>
    public virtual void AfterDecision(InstrumentContext context)
    {
    }

    /// <summary>Frees what the instrument holds (copies of tensors).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the instrument holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Tier}, {Schedule})";
}
