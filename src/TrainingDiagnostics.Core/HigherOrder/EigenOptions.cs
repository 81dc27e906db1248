namespace TrainingDiagnostics.HigherOrder;

/// <summary>Options of <see cref="Curvature.TopEigenvalues"/>.</summary>
public sealed record EigenOptions
{
    /// <summary>The most Lanczos steps (one Hessian-vector product each) to spend; default 100 (capped at the dimension).</summary>
    public int MaxMatVecs { get; init; } = 100;

    /// <summary>Converged when every wanted Ritz pair has residual ‖Hy - θy‖ at most this times the largest |θ|; default 1e-6.</summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>The seed of the private generator of the starting vector; fixed by default so results repeat.</summary>
    public int Seed { get; init; } = 20240601;
}
