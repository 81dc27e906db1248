namespace TrainingDiagnostics.Model;

/// <summary>
/// One estimate of the curvature of the training loss at a step: a property of the Hessian H of the step's loss with
/// respect to the trainable parameters (see <see cref="CurvatureQuantity"/>), with its error bar and its cost.
/// </summary>
public sealed record CurvatureRecord
{
    /// <summary>The training step whose batch and weights the Hessian was taken at.</summary>
    public required long Step { get; init; }

    /// <summary>What was estimated.</summary>
    public required CurvatureQuantity Quantity { get; init; }

    /// <summary>The estimate (may be NaN when the estimator could not produce one).</summary>
    public required double Value { get; init; }

    /// <summary>For a stochastic estimate (the trace): its standard error; null otherwise.</summary>
    public double? StandardError { get; init; }

    /// <summary>For a Ritz value (the top eigenvalue): the residual ‖Hy - θy‖ of its unit Ritz vector, a bound on |λ - θ|; null otherwise.</summary>
    public double? Residual { get; init; }

    /// <summary>The Hessian-vector products spent (one backward pass each).</summary>
    public required int MatVecs { get; init; }

    /// <summary>Whether the estimator met its tolerance within its budget (false: the budget ran out first).</summary>
    public bool Converged { get; init; }
}
