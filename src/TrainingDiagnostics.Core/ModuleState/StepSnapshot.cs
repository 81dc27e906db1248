using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// What a replay or a skipped step must put back: the CPU random state and the module buffers (BatchNorm running
/// statistics) as they were before the step's forward pass. One instance is refilled at every step: the buffer copies are
/// allocated once and overwritten in place, so a healthy step costs one random-state read and one copy per buffer.
/// </summary>
/// <remarks>
/// Only the CPU generator is captured: TorchSharp 0.107 exposes no state of the CUDA generators (its native
/// <c>THSGenerator_default_generator</c> returns the CPU generator only, and <c>THSGenerator_new</c> creates CPU
/// generators only). Replays of CUDA models therefore run their dropout layers in eval mode, so that they do not draw
/// from the CUDA generator (see <c>StepReplay</c>).
/// </remarks>
internal sealed class StepSnapshot : IDisposable
{
    private readonly List<(Tensor Live, Tensor Copy)> _buffers = [];
    private Tensor? _rngState;

    public StepSnapshot(ModuleTree tree)
    {
        using var noGrad = no_grad();
        foreach (var (_, buffer) in tree.Buffers)
            _buffers.Add((buffer, buffer.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Overwrites the copies with the current random state and buffers.</summary>
    public void Capture()
    {
        using var noGrad = no_grad();
        _rngState?.Dispose();
        _rngState = get_rng_state().DetachFromDisposeScope();
        foreach (var (live, copy) in _buffers)
            copy.copy_(live);
    }

    public void RestoreRandomState()
    {
        if (_rngState is not null)
            set_rng_state(_rngState);
    }

    public void RestoreBuffers()
    {
        using var noGrad = no_grad();
        foreach (var (live, copy) in _buffers)
            live.copy_(copy);
    }

    public void Dispose()
    {
        _rngState?.Dispose();
        _rngState = null;
        foreach (var (_, copy) in _buffers)
            copy.Dispose();
        _buffers.Clear();
    }
}
