using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// Takes the <c>.grad</c> of some leaves out of the way for a backward pass of ours and puts them back afterwards, so a
/// diagnostic never accumulates into (or clears) the gradients of the user's training step.
/// </summary>
internal readonly struct GradStash : IDisposable
{
    private readonly Tensor[] _leaves;
    private readonly Tensor?[] _grads;

    public GradStash(Tensor[] leaves)
    {
        _leaves = leaves;
        _grads = new Tensor?[leaves.Length];
        for (int i = 0; i < leaves.Length; i++)
        {
            var g = leaves[i].grad;
            _grads[i] = g?.DetachFromDisposeScope();
            leaves[i].grad = null;
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _leaves.Length; i++)
        {
            _leaves[i].grad = _grads[i];
            _grads[i]?.Dispose();
        }
    }
}
