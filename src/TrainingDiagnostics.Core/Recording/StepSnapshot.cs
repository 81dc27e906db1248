using TorchSharp;
using TrainingDiagnostics.Anomalies;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Copies of the state a replay or a rollback must put back: the CPU random state, the module buffers (BatchNorm running
/// statistics), optionally the parameters and the optimizer state. Owns its copies; dispose to free them.
/// </summary>
internal sealed class StepSnapshot : IDisposable
{
    private readonly Tensor _rngState;
    private readonly List<(Tensor Live, Tensor Copy)> _buffers = [];
    private readonly List<(Tensor Live, Tensor Copy)> _parameters = [];
    private readonly byte[]? _optimizerState;

    private StepSnapshot(ModuleTree tree, bool parameters, optim.Optimizer? optimizer)
    {
        using var noGrad = no_grad();
        _rngState = get_rng_state().DetachFromDisposeScope();
        foreach (var (_, buffer) in tree.Buffers)
            _buffers.Add((buffer, buffer.detach().clone().DetachFromDisposeScope()));
        if (parameters)
        {
            foreach (var p in tree.Parameters)
                _parameters.Add((p.Tensor, p.Tensor.detach().clone().DetachFromDisposeScope()));
            if (optimizer is TorchSharp.Modules.OptimizerHelper managed)
            {
                using var stream = new MemoryStream();
                using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                    managed.save_state_dict(writer);
                _optimizerState = stream.ToArray();
            }
        }
    }

    public bool HasParameters => _parameters.Count > 0;

    /// <summary>Whether the optimizer state was captured (TorchSharp's managed optimizers: SGD, Adam, AdamW, ...).</summary>
    public bool HasOptimizerState => _optimizerState is not null;

    public static StepSnapshot Capture(ModuleTree tree, bool parameters = false, optim.Optimizer? optimizer = null) =>
        new(tree, parameters, optimizer);

    public void RestoreRandomState() => set_rng_state(_rngState);

    public void RestoreBuffers()
    {
        using var noGrad = no_grad();
        foreach (var (live, copy) in _buffers)
            live.copy_(copy);
    }

    /// <summary>Puts back parameters and optimizer state (a rollback).</summary>
    public void RestoreParameters(optim.Optimizer? optimizer)
    {
        using var noGrad = no_grad();
        foreach (var (live, copy) in _parameters)
            live.copy_(copy);
        if (optimizer is TorchSharp.Modules.OptimizerHelper managed && _optimizerState is not null)
        {
            using var reader = new BinaryReader(new MemoryStream(_optimizerState));
            managed.load_state_dict(reader);
        }
    }

    public void Dispose()
    {
        _rngState.Dispose();
        foreach (var (_, copy) in _buffers)
            copy.Dispose();
        foreach (var (_, copy) in _parameters)
            copy.Dispose();
        _buffers.Clear();
        _parameters.Clear();
    }
}
