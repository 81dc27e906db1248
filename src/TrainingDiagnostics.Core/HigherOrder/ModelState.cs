using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// What a diagnostic pass over a model may disturb, saved so that it can be put back: the CPU RNG state, every buffer
/// (by copy), the training flag of every module and the momentum of BatchNorm layers. The parameters' <c>.grad</c> are
/// saved separately around each backward pass (<see cref="GradStash"/>).
/// </summary>
internal sealed class ModelState : IDisposable
{
    private readonly Tensor _rng;
    private readonly List<(Tensor Buffer, Tensor Copy)> _buffers = new();
    private readonly List<(nn.Module Module, bool Training)> _modes = new();
    private readonly List<(BatchNorm Layer, double? Momentum)> _momenta = new();
    private readonly List<BatchNorm> _untracked = new();

    /// <summary>The private setter of <c>NormBase.track_running_stats</c> (TorchSharp 0.107), or null where it is not found.</summary>
    private static readonly System.Reflection.MethodInfo? TrackRunningStats =
        typeof(NormBase).GetProperty(nameof(NormBase.track_running_stats))?.GetSetMethod(nonPublic: true);

    public ModelState(nn.Module model)
    {
        _rng = get_rng_state().DetachFromDisposeScope();
        using (no_grad())
        {
            foreach (var buffer in model.buffers())
                _buffers.Add((buffer, buffer.clone().DetachFromDisposeScope()));
        }
        _modes.Add((model, model.training));
        foreach (var (_, module) in model.named_modules())
            _modes.Add((module, module.training));
    }

    /// <summary>
    /// Puts BatchNorm layers into the requested mode and keeps their buffers out of the pass. A layer in train mode is
    /// told not to track running statistics for the pass: it normalizes with the batch's statistics exactly as before, but
    /// neither reads nor writes its running buffers, so the graph it builds saves none of them. The graph is then our own:
    /// when the monitor later puts a buffer back in place (a skipped batch of one whose variance was NaN), the graph still
    /// works. Where TorchSharp does not let that flag be set, momentum 0 keeps the values (running = 1·running + 0·batch),
    /// which holds except for a NaN batch statistic.
    /// </summary>
    public void PrepareBatchNorm(nn.Module model, BatchNormMode mode)
    {
        foreach (var module in new[] { model }.Concat(model.named_modules().Select(m => m.module)))
        {
            if (module is not BatchNorm layer)
                continue;
            if (mode == BatchNormMode.Train)
                layer.train(true);
            else if (mode == BatchNormMode.Eval)
                layer.train(false);
            if (layer.training && layer.track_running_stats && TrackRunningStats is { } setter)
            {
                setter.Invoke(layer, [false]);
                _untracked.Add(layer);
                continue;
            }
            _momenta.Add((layer, layer.momentum));
            layer.momentum = 0.0;
        }
    }

    /// <summary>Restores modes, momenta, the RNG and every buffer that changed (only those: a copy bumps the version counter).</summary>
    public void Restore()
    {
        foreach (var (module, training) in _modes)
            if (module.training != training)
                module.train(training);
        foreach (var (layer, momentum) in _momenta)
            layer.momentum = momentum;
        _momenta.Clear();
        foreach (var layer in _untracked)
            TrackRunningStats!.Invoke(layer, [true]);
        _untracked.Clear();
        set_rng_state(_rng);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (buffer, copy) in _buffers)
            if (!(buffer.eq(copy) | (buffer.isnan() & copy.isnan())).all().item<bool>()) // NaN == NaN: an unchanged poisoned buffer is left alone
                buffer.copy_(copy);
    }

    public void Dispose()
    {
        _rng.Dispose();
        foreach (var (_, copy) in _buffers)
            copy.Dispose();
        _buffers.Clear();
    }
}
