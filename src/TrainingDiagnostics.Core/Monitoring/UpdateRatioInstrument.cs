using System.Runtime.InteropServices;
using TorchSharp;
using TrainingDiagnostics.Anomalies;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Update-to-weight ratios ‖Δw‖/‖w‖: when its schedule fires on a step that the optimizer applies, it keeps a copy of the
/// weights; at the next step it reads the update from that copy with the step's transfer. An update that moves a weight
/// matrix by more than <see cref="MonitorOptions.MaxUpdateRatio"/> times its norm is an exploding-gradient anomaly, often
/// the first sign of one while the loss is still finite.
/// </summary>
/// <remarks>
/// <para>At the measuring step the copy becomes the update in place (<c>w_prev - w</c>) and its norm is read with the
/// step's transfer (one libtorch operation per parameter tensor). ‖w_prev‖ is taken from the weight norms when they were
/// read at the step the copy was made (the defaults schedule both every 10 steps); otherwise it is read first, one more
/// operation. It publishes the ratios as <see cref="Quantities.UpdateRatios"/> and requires <see cref="Quantities.WeightNorms"/>.</para>
/// <para>Contiguous float32 and float64 parameters in CPU memory (a small model's) are copied and subtracted on the host,
/// straight in tensor memory, with no libtorch operation: each operation costs a few microseconds of dispatch whatever
/// its size, and on a small model these 2 per parameter tensor were most of the instrument's cost. An IEEE subtraction
/// is exact to the last bit whoever computes it, so the update, its norm (still libtorch's) and the ratio are those of
/// <c>w_prev.sub_(w)</c>; the other parameters take that path (<c>copy_</c>, <c>sub_</c>).</para>
/// </remarks>
internal sealed class UpdateRatioInstrument(Schedule schedule, double maxRatio) : Instrument("update-ratios", CostTier.Economy, schedule)
{
    private static readonly Quantity[] Published = [Quantities.UpdateRatios];
    private static readonly Quantity[] Required = [Quantities.WeightNorms];

    private Tensor[]? _previous;
    private bool[] _onHost = []; // copied and subtracted in CPU memory, without libtorch operations
    private double[]? _previousNorms; // ‖w_prev‖ read at the step the copy was made, or null to read it with the update
    private bool _holdsUpdate;
    private DeviceRead[] _updates = [];
    private DeviceRead[] _norms = [];

    public override IReadOnlyCollection<Quantity> Publishes => Published;

    public override IReadOnlyCollection<Quantity> Requires => Required;

    public override bool IsDue(long step) => _holdsUpdate || Schedule.IsDue(step);

    public override void Queue(InstrumentContext context)
    {
        if (!_holdsUpdate)
            return;
        var parameters = context.Parameters;
        if (_updates.Length != parameters.Count)
            (_updates, _norms) = (new DeviceRead[parameters.Count], new DeviceRead[parameters.Count]);
        for (int i = 0; i < parameters.Count; i++)
        {
            // Inside the step's no_grad scope. The norm of the copy is queued before the copy turns into the update
            // (operations run in order on the device); the copy is overwritten again when the schedule next fires.
            if (_previousNorms is null)
                _norms[i] = context.Reads.AddScalar(_previous![i].norm(2f)); // computed at once on the CPU, before the host subtraction
            _updates[i] = context.Reads.AddScalar(_onHost[i] ? SubtractOnHost(_previous![i], parameters[i]).norm(2f) : _previous![i].sub_(parameters[i]).norm(2f));
        }
    }

    public override void Compute(InstrumentContext context)
    {
        if (!_holdsUpdate)
            return;
        _holdsUpdate = false;
        var ratios = new double?[_updates.Length];
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < ratios.Length; i++)
        {
            double previous = _previousNorms?[i] ?? context.Reads[_norms[i]];
            if (!(previous > 0))
                continue;
            double ratio = context.Reads[_updates[i]] / previous;
            ratios[i] = ratio;
            // Biases and other vectors start at zero, where any update is large relative to them: weight matrices only.
            if (context.Parameters[i].dim() >= 2 && ratio > maxRatio && ratio > worstRatio)
                (worst, worstRatio) = (i, ratio);
        }
        context.Publish(Quantities.UpdateRatios, ratios);
        if (worst >= 0 && context.GradientsFinite)
        {
            var p = context.Tree.Parameters[worst];
            context.ReportAnomaly(AnomalyEvents.Alarm(AnomalyKind.ExplodingGradient, context.Step, p.OwnerPath, context.Tree.TypeNameAt(p.OwnerPath),
                $"The last update changed '{p.Name}' by {worstRatio:G3} times its own norm (healthy training moves weights by about 1e-3 of their norm per step): the steps are far too large for these gradients.",
                "update-to-weight ratio measured from the weights before and after the last optimizer step",
                worstRatio, maxRatio, AnomalyPhase.Update));
        }
    }

    public override void AfterDecision(InstrumentContext context)
    {
        if (!context.WillStep || context.RolledBack || !Schedule.IsDue(context.Step))
            return;
        using var noGrad = no_grad();
        var parameters = context.Parameters;
        if (_previous is null || _previous.Length != parameters.Count)
        {
            Release();
            _previous = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
            _onHost = parameters.Select((p, i) => OnHost(p) && OnHost(_previous[i]) && p.dtype == _previous[i].dtype && p.numel() == _previous[i].numel()).ToArray();
        }
        else
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                if (_onHost[i])
                    parameters[i].bytes.CopyTo(_previous[i].bytes); // the copy's own memory: no graph ever sees it
                else
                    _previous[i].copy_(parameters[i]);
            }
        }
        // The weight norms of this step were read from these very weights (no update has happened since the read).
        _previousNorms = context.TryGet(Quantities.WeightNorms, out var norms) && norms.Count == parameters.Count ? [.. norms] : null;
        _holdsUpdate = true;
    }

    protected override void Dispose(bool disposing) => Release();

    /// <summary>Whether a tensor's values can be read and written in CPU memory, as one float32 or float64 array.</summary>
    private static bool OnHost(Tensor t) =>
        t.device_type == DeviceType.CPU && t.is_contiguous() && t.dtype is ScalarType.Float32 or ScalarType.Float64;

    /// <summary><c>previous -= current</c> in CPU memory (the copy's own storage, in no graph), elementwise in the tensors'
    /// dtype: bit for bit what <c>sub_</c> computes.</summary>
    private static Tensor SubtractOnHost(Tensor previous, Tensor current)
    {
        if (previous.dtype == ScalarType.Float32)
            Subtract(MemoryMarshal.Cast<byte, float>(previous.bytes), MemoryMarshal.Cast<byte, float>(current.bytes));
        else
            Subtract(MemoryMarshal.Cast<byte, double>(previous.bytes), MemoryMarshal.Cast<byte, double>(current.bytes));
        return previous;
    }

    private static void Subtract<T>(Span<T> previous, ReadOnlySpan<T> current) where T : unmanaged, System.Numerics.INumber<T>
    {
        for (int k = 0; k < previous.Length; k++)
            previous[k] -= current[k];
    }

    private void Release()
    {
        if (_previous is null)
            return;
        foreach (var w in _previous)
            w.Dispose();
        _previous = null;
        _previousNorms = null;
        _holdsUpdate = false;
    }
}
