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
    /// Puts BatchNorm layers into the requested mode and stops them from updating their running statistics (momentum 0:
    /// running = 1·running + 0·batch leaves the values bit for bit). The statistics must not be written back later: in train
    /// mode libtorch saves them for the backward pass, and an in-place restore would invalidate the graph we keep.
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
        set_rng_state(_rng);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (buffer, copy) in _buffers)
            if (!buffer.eq(copy).all().item<bool>())
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
