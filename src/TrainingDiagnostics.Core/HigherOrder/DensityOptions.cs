namespace TrainingDiagnostics.HigherOrder;

/// <summary>Options of <see cref="Curvature.Density"/>: the budget is <see cref="Runs"/> x <see cref="StepsPerRun"/> Hessian-vector products.</summary>
public sealed record DensityOptions
{
    /// <summary>Independent Lanczos runs, each from its own Rademacher start (default 4): they average the estimate over starts.</summary>
    public int Runs { get; init; } = 4;

    /// <summary>Lanczos steps per run (default 40, capped at the dimension): each run gives that many nodes.</summary>
    public int StepsPerRun { get; init; } = 40;

    /// <summary>The seed of the private generator of the starting vectors; fixed by default so results repeat.</summary>
    public int Seed { get; init; } = 20240601;
}
