namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The backward pass of a monitored step failed with a libtorch error that is not a non-finite value: a programming error in
/// the training code (an in-place change to a tensor autograd saved for backward, a second backward through a freed graph,
/// a shape or device mismatch), not a training anomaly. No policy can skip it, so the monitor rethrows it under every policy.
/// </summary>
public sealed class BackwardPassException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="step"/> from libtorch's error.</summary>
    /// <param name="step">The training step whose backward pass failed.</param>
    /// <param name="libtorchError">The error libtorch raised.</param>
    public BackwardPassException(long step, Exception libtorchError)
        : base(Describe(step, libtorchError), libtorchError)
    {
        Step = step;
        LibTorchMessage = FirstLine(libtorchError.Message);
    }

    /// <summary>The training step whose backward pass failed.</summary>
    public long Step { get; }

    /// <summary>The first line of libtorch's error message.</summary>
    public string LibTorchMessage { get; }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static string Describe(long step, Exception error) =>
        $"The backward pass of step {step} failed: libtorch says \"{FirstLine(error.Message)}\". This is an error in the training code, not a " +
        "NaN or Inf, so the monitor cannot skip or roll it back. Common causes: an in-place operation (x.add_(...), relu_(), x[i] = ...) " +
        "on a tensor that autograd saved for the backward pass (use the out-of-place form or clone() first), or a second backward " +
        "through a graph that was already freed (compute the loss again, or keep the graph with retain_graph).";
}
