namespace TrainingDiagnostics.HigherOrder;

/// <summary>Options of <see cref="Curvature.Trace"/>.</summary>
public sealed record TraceOptions
{
    /// <summary>The estimator; <see cref="TraceMethod.Hutchinson"/> by default.</summary>
    public TraceMethod Method { get; init; } = TraceMethod.Hutchinson;

    /// <summary>The most Hessian-vector products to spend (default 100). Hutch++ always spends all of them (at least 6).</summary>
    public int MaxMatVecs { get; init; } = 100;

    /// <summary>Hutchinson's floor: it never stops before this many probes (default 30), so the standard error is itself reliable.</summary>
    public int MinMatVecs { get; init; } = 30;

    /// <summary>
    /// Hutchinson stops early once the standard error is at most this fraction of |estimate| (after <see cref="MinMatVecs"/>
    /// probes); default 0.01. Zero spends the whole budget.
    /// </summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>The seed of the private generator of the probes (the global torch RNG is never used); fixed by default so results repeat.</summary>
    public int Seed { get; init; } = 20240601;
}
