namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// An optional measurement of the <see cref="TrainingMonitor"/>: a name, a <see cref="Schedule"/> that says at which steps
/// it runs, a declared <see cref="CostTier"/>, and its compute. The monitor calls the stages of a due instrument in the
/// order of a step; override the ones you need (usually <see cref="Queue"/> and <see cref="Compute"/>).
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

    /// <summary>The instrument's name.</summary>
    public string Name { get; }

    /// <summary>What it costs: the cheapest <see cref="CostTier"/> in which it belongs.</summary>
    public CostTier Tier { get; }

    /// <summary>The steps at which it runs.</summary>
    public Schedule Schedule { get; set; }

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
