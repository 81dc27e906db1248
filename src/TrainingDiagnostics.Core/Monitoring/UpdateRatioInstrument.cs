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
/// Two libtorch operations per parameter tensor at the measuring step: the copy becomes the update in place
/// (<c>w_prev.sub_(w)</c>, norm -w) and its norm is read. ‖w_prev‖ is taken from the weight norms when they were read at the
/// step the copy was made (the defaults schedule both every 10 steps); otherwise it is read first, one more operation.
/// It publishes the ratios as <see cref="Quantities.UpdateRatios"/> and requires <see cref="Quantities.WeightNorms"/>.
/// </remarks>
internal sealed class UpdateRatioInstrument(Schedule schedule, double maxRatio) : Instrument("update-ratios", CostTier.Economy, schedule)
{
    private static readonly Quantity[] Published = [Quantities.UpdateRatios];
    private static readonly Quantity[] Required = [Quantities.WeightNorms];

    private Tensor[]? _previous;
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
                _norms[i] = context.Reads.AddScalar(_previous![i].norm(2f));
            _updates[i] = context.Reads.AddScalar(_previous![i].sub_(parameters[i]).norm(2f));
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
        }
        else
        {
            for (int i = 0; i < parameters.Count; i++)
                _previous[i].copy_(parameters[i]);
        }
        // The weight norms of this step were read from these very weights (no update has happened since the read).
        _previousNorms = context.TryGet(Quantities.WeightNorms, out var norms) && norms.Count == parameters.Count ? [.. norms] : null;
        _holdsUpdate = true;
    }

    protected override void Dispose(bool disposing) => Release();

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
