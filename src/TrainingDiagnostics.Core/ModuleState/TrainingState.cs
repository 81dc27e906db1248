using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// A copy of everything an optimizer step changes, for a rollback: the parameters, the module buffers and the optimizer
/// state of TorchSharp's managed optimizers (moments, step counts, options). Parameter and buffer copies are allocated once and overwritten in place at every capture.
/// </summary>
internal sealed class TrainingState : IDisposable
{
    private readonly List<(Tensor Live, Tensor Copy)> _tensors = [];
    private readonly OptimizerStateCopy? _optimizerState;

    public TrainingState(ModuleTree tree, optim.Optimizer? optimizer)
    {
        if (optimizer is TorchSharp.Modules.OptimizerHelper managed)
            _optimizerState = new OptimizerStateCopy(managed);
        using var noGrad = no_grad();
        foreach (var p in tree.Parameters)
            _tensors.Add((p.Tensor, p.Tensor.detach().clone().DetachFromDisposeScope()));
        foreach (var (_, buffer) in tree.Buffers)
            _tensors.Add((buffer, buffer.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>The step at whose start the copy was taken, or null before the first capture.</summary>
    public long? Step { get; private set; }

    public void Capture(long step)
    {
        using (no_grad())
            foreach (var (live, copy) in _tensors)
                copy.copy_(live);
        _optimizerState?.Capture();
        Step = step;
    }

    /// <summary>Puts back parameters, buffers and optimizer state as they were at the start of <see cref="Step"/>.</summary>
    public void Restore()
    {
        if (Step is null)
            return;
        using (no_grad())
            foreach (var (live, copy) in _tensors)
                live.copy_(copy);
        _optimizerState?.Restore();
    }

    public void Dispose()
    {
        foreach (var (_, copy) in _tensors)
            copy.Dispose();
        _tensors.Clear();
        _optimizerState?.Dispose();
    }
}
