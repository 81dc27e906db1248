namespace TrainingDiagnostics.HigherOrder;

/// <summary>The eigenvalues of largest magnitude of H, from <see cref="Curvature.TopEigenvalues"/>.</summary>
/// <param name="Values">The k Ritz values of largest |λ|, by descending |λ|.</param>
/// <param name="Residuals">For each value, the residual norm ‖Hy - θy‖ of its unit Ritz vector y (Lanczos' estimate |β_m s_m|): an error bar; |λ - θ| &lt;= residual.</param>
/// <param name="MatVecs">The Hessian-vector products spent (one per Lanczos step).</param>
/// <param name="Converged">True when every residual met the tolerance (or the Krylov space became invariant); false when the budget ran out first.</param>
public sealed record EigenEstimate(double[] Values, double[] Residuals, int MatVecs, bool Converged);
