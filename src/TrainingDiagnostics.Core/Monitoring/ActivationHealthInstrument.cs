using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Dead and saturated units of the model's activation modules, measured on the step's own forward pass. On a due step it
/// puts a forward hook on every ReLU-family module and every Sigmoid and Tanh, reduces each output on the device (to each
/// unit's largest output, or to a count of outputs on the tails), reads them with the step's one transfer and records
/// <see cref="InstrumentMetricNames.DeadFractionPrefix"/><c>{path}</c> and <see cref="InstrumentMetricNames.SaturatedFractionPrefix"/><c>{path}</c>.
/// </summary>
/// <remarks>
/// <para><b>Dead</b> (ReLU, ReLU6, Hardsigmoid, Hardswish, and Threshold with value 0: modules whose output, and gradient,
/// is exactly zero below a threshold): the fraction of units that output zero for every sample of the batch, a unit being
/// a feature of an [N, F] output or a channel of an [N, C, ...] output (zero at every position). Such a unit passes no
/// gradient to the weights that feed it, whatever the batch.</para>
/// <para><b>Saturated</b> (Sigmoid, Tanh): the fraction of outputs on the flat tails, where the derivative is below 1 % of
/// its maximum. Sigmoid: σ' = y(1 - y) &lt; 0.0025, that is |y - 1/2| &gt; √0.99 / 2 (y &lt; 0.002506 or y &gt; 0.997494,
/// pre-activations beyond ±5.99). Tanh: 1 - y² &lt; 0.01, that is |y| &gt; √0.99 = 0.994987 (pre-activations beyond ±2.99).
/// Small pre-activations sit on the linear middle and never count.</para>
/// <para>The hooks exist only from the due step's forward pass to its queue stage: steps off the schedule, the monitor's
/// replays and the curvature probe's extra forward pass run without them. A module called several times in one forward
/// pass (one ReLU shared by several layers) gets one value, its calls pooled (units, or outputs, weighted by count).
/// Only modules called through <c>call()</c> are seen (not <c>functional.relu</c> inside a custom forward). Cost of a
/// due step: per ReLU-family output one reduction (the maximum over the batch and positions), per sigmoid or tanh
/// output a comparison and a count; then one concatenation, comparison and conversion for all units together, one stack
/// for all counts, and one value per unit (and per saturating call) in the step's transfer. Nothing at the other steps.</para>
/// <para>A hook never throws into the model's forward pass: an error is kept and rethrown from <see cref="Compute"/>,
/// where the monitor contains an instrument's failure.</para>
/// </remarks>
internal sealed class ActivationHealthInstrument : Instrument
{
    /// <summary>Sigmoid saturation: |y - 1/2| above √0.99 / 2, where y(1 - y) is below 1 % of its maximum 1/4.</summary>
    public static readonly double SigmoidTail = Math.Sqrt(0.99) / 2;

    /// <summary>Tanh saturation: |y| above √0.99, where 1 - y² is below 1 % of its maximum 1.</summary>
    public static readonly double TanhTail = Math.Sqrt(0.99);

    private readonly List<Site> _sites = [];
    private readonly List<Action> _removers = [];
    private Exception? _failure;

    public ActivationHealthInstrument(Schedule schedule, ModuleTree tree)
        : base("activation-health", CostTier.Economy, schedule)
    {
        foreach (var (path, module) in tree.Modules)
            if (path.Length > 0 && module is nn.Module<Tensor, Tensor> single && KindOf(module) is { } kind)
                _sites.Add(new Site(path, single, kind));
    }

    /// <summary>How many times a hook of this instrument ran (tests use it to prove the hooks live only on due steps).</summary>
    public int Invocations { get; private set; }

    /// <summary>The activation modules watched, by path.</summary>
    public IEnumerable<string> Paths => _sites.Select(s => s.Path);

    public override bool IsDue(long step)
    {
        if (_sites.Count == 0)
            return false;
        bool due = base.IsDue(step);
        if (!due && _removers.Count > 0)
            Disarm(); // a step whose loss closure threw never reached Queue: its hooks must not watch this one
        return due;
    }

    public override void BeforeForward(InstrumentContext context)
    {
        Disarm();
        foreach (var site in _sites)
        {
            var remover = site.Module.register_forward_hook((_, _, output) =>
            {
                Observe(site, output);
                return null!;
            });
            _removers.Add(remover.remove);
        }
    }

    public override void Queue(InstrumentContext context)
    {
        RemoveHooks();
        if (_failure is not null)
            return;
        var calls = _sites.SelectMany(s => s.Calls).ToList();
        if (calls.Count == 0)
            return;
        var type = calls[0].TransferType;
        // Two entries in the step's transfer whatever the number of modules: every unit's "dead" flag, and every
        // saturating call's count of outputs on the tails.
        var dead = calls.Where(c => !c.Saturating).ToList();
        if (dead.Count > 0)
        {
            using var zero = 0.0.ToScalar();
            var flags = (dead.Count == 1 ? dead[0].Value : cat(dead.Select(c => c.Value).ToList())).eq(zero).to(type);
            var first = context.Reads.AddVector(flags, (int)flags.numel());
            int offset = 0;
            foreach (var call in dead)
            {
                call.First = new DeviceRead(first.Index + offset);
                offset += (int)call.Weight;
            }
        }
        var saturating = calls.Where(c => c.Saturating).ToList();
        if (saturating.Count > 0)
        {
            var counts = stack(saturating.Select(c => c.Value).ToList()).to(type);
            var first = context.Reads.AddVector(counts, saturating.Count);
            for (int i = 0; i < saturating.Count; i++)
                saturating[i].First = new DeviceRead(first.Index + i);
        }
    }

    public override void Compute(InstrumentContext context)
    {
        try
        {
            if (_failure is { } failure)
                throw new InvalidOperationException($"The activation-health instrument's forward hook failed: {failure.Message}", failure);
            foreach (var site in _sites)
            {
                if (site.Calls.Count == 0)
                    continue;
                double count = 0, total = 0;
                foreach (var call in site.Calls)
                {
                    if (call.Saturating)
                    {
                        count += context.Reads[call.First];
                    }
                    else
                    {
                        for (int i = 0; i < call.Weight; i++)
                            count += context.Reads[new DeviceRead(call.First.Index + i)];
                    }
                    total += call.Weight;
                }
                string prefix = site.Kind is Kind.SaturatingTanh or Kind.SaturatingSigmoid
                    ? InstrumentMetricNames.SaturatedFractionPrefix
                    : InstrumentMetricNames.DeadFractionPrefix;
                context.RecordMetric(prefix + site.Path, count / total);
            }
        }
        finally
        {
            Disarm();
        }
    }

    protected override void Dispose(bool disposing) => Disarm();

    /// <summary>Takes the hooks off and frees the reductions still held.</summary>
    private void Disarm()
    {
        RemoveHooks();
        _failure = null;
        foreach (var site in _sites)
        {
            foreach (var call in site.Calls)
                call.Value.Dispose();
            site.Calls.Clear();
        }
    }

    private void RemoveHooks()
    {
        foreach (var remove in _removers)
            remove();
        _removers.Clear();
    }

    private void Observe(Site site, Tensor output)
    {
        Invocations++;
        if (_failure is not null || output.numel() == 0 || output.dim() == 0 || !output.is_floating_point())
            return;
        try
        {
            using var scope = NewDisposeScope();
            var y = output.detach(); // records no graph: cheaper than entering and leaving no_grad for every call
            var type = y.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            // Scalars held by `using` until the operations that read them return: an implicit one can be finalized by
            // the GC while libtorch still reads it (TorchSharp passes the bare handle).
            if (site.Kind is Kind.SaturatingTanh or Kind.SaturatingSigmoid)
            {
                using var half = 0.5.ToScalar();
                using var bound = (site.Kind == Kind.SaturatingSigmoid ? SigmoidTail : TanhTail).ToScalar();
                var tail = site.Kind == Kind.SaturatingSigmoid ? y.sub(half).abs_().gt(bound) : y.abs().gt(bound);
                site.Calls.Add(new Call(tail.count_nonzero().DetachFromDisposeScope(), y.numel(), saturating: true, type));
            }
            else
            {
                // A unit's largest output over the batch (and positions) is zero only when every output is: max for
                // non-negative activations, max of |y| for those that also go negative (Hardswish, Threshold).
                var magnitude = site.Kind == Kind.DeadSigned ? y.abs() : y;
                var largest = magnitude.dim() == 1 ? magnitude.clone() : magnitude.amax(UnitReduction(magnitude.dim()));
                site.Calls.Add(new Call(largest.DetachFromDisposeScope(), largest.numel(), saturating: false, type));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _failure = e;
        }
    }

    /// <summary>The dimensions to reduce for one value per unit: all but the feature or channel dimension 1.</summary>
    private static long[] UnitReduction(long rank)
    {
        var dims = new long[rank - 1];
        dims[0] = 0;
        for (int i = 1; i < dims.Length; i++)
            dims[i] = i + 1;
        return dims;
    }

    private static Kind? KindOf(nn.Module module) => module switch
    {
        ReLU or ReLU6 or Hardsigmoid => Kind.Dead,
        Hardswish => Kind.DeadSigned,
        Threshold { value: 0 } => Kind.DeadSigned,
        Sigmoid => Kind.SaturatingSigmoid,
        Tanh => Kind.SaturatingTanh,
        _ => null,
    };

    private enum Kind
    {
        /// <summary>Non-negative output, exactly zero below a threshold.</summary>
        Dead,

        /// <summary>Exactly zero below a threshold, possibly negative above it.</summary>
        DeadSigned,

        /// <summary>Sigmoid: flat tails at 0 and 1.</summary>
        SaturatingSigmoid,

        /// <summary>Tanh: flat tails at -1 and 1.</summary>
        SaturatingTanh,
    }

    private sealed record Site(string Path, nn.Module<Tensor, Tensor> Module, Kind Kind)
    {
        public List<Call> Calls { get; } = [];
    }

    /// <summary>One call of an activation module in the step: its reduction on the device (each unit's largest output, or
    /// the count of outputs on the tails), its units or outputs, and where its values sit in the transfer.</summary>
    private sealed class Call(Tensor value, long weight, bool saturating, ScalarType transferType)
    {
        public Tensor Value { get; } = value;

        public long Weight { get; } = weight;

        public bool Saturating { get; } = saturating;

        /// <summary>The dtype its values cross in: float64 for a float64 model, else float32 (the transfer's usual dtypes).</summary>
        public ScalarType TransferType { get; } = transferType;

        public DeviceRead First { get; set; }
    }
}
