namespace TrainingDiagnostics.HigherOrder;

/// <summary>A stochastic estimate of the Laplacian Δf = tr(∇²f) from <see cref="Stde"/>.</summary>
/// <param name="Value">The mean of the second directional derivatives vᵀ(∇²f)v over the random directions.</param>
/// <param name="StandardError">Their sample standard deviation over √samples.</param>
/// <param name="Samples">The number of random directions.</param>
public sealed record LaplacianEstimate(double Value, double StandardError, int Samples);
