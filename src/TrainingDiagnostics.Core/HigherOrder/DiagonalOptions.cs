namespace TrainingDiagnostics.HigherOrder;

/// <summary>Options of <see cref="Curvature.Diagonal"/>.</summary>
public sealed record DiagonalOptions
{
    /// <summary>The Rademacher probes, one Hessian-vector product each (default 100; at least 2 for a standard error).</summary>
    public int MaxMatVecs { get; init; } = 100;

    /// <summary>The seed of the private generator of the probes; fixed by default so results repeat.</summary>
    public int Seed { get; init; } = 20240601;
}
