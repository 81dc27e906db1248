namespace TrainingDiagnostics;

/// <summary>
/// How <see cref="Autodiff.Jacobian(System.Func{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, TorchSharp.torch.Tensor, JacobianMode)"/>
/// builds the Jacobian of f: R^n -> R^m.
/// </summary>
public enum JacobianMode
{
    /// <summary>Picks the mode with fewer passes: <see cref="Reverse"/> when m &lt;= n, otherwise <see cref="Forward"/>.</summary>
    Auto,

    /// <summary>One vector-Jacobian product (a backward pass) per output element: m backward passes, builds J row by row.</summary>
    Reverse,

    /// <summary>
    /// One Jacobian-vector product per input element: n backward passes through the graph of a backward pass
    /// (the double-VJP trick, since libtorch has no forward mode), plus one pass to build that graph; builds J column by column.
    /// </summary>
    Forward,
}
