namespace TrainingDiagnostics.HigherOrder;

/// <summary>An estimate of diag(H) from <see cref="Curvature.Diagonal"/>.</summary>
/// <param name="Values">The estimate of each diagonal entry H_ii (flat, in the operator's variable order).</param>
/// <param name="StandardErrors">The standard error of each entry (the sample standard deviation of z_i (Hz)_i over the probes, over √m).</param>
/// <param name="MatVecs">The Hessian-vector products spent (one per probe).</param>
public sealed record DiagonalEstimate(double[] Values, double[] StandardErrors, int MatVecs)
{
    /// <summary>The estimate of tr(H) implied by the diagonal (the sum of <see cref="Values"/>).</summary>
    public double Sum => Values.Sum();
}
