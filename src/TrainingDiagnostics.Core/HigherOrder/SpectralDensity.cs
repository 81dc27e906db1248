namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The spectral density of H estimated by stochastic Lanczos quadrature (<see cref="Curvature.Density"/>): a discrete
/// measure Σ w_i δ(λ - θ_i) whose weights sum to 1, approximating (1/n) Σ_j δ(λ - λ_j).
/// </summary>
/// <param name="Nodes">The quadrature nodes θ_i (Ritz values of every run, run after run).</param>
/// <param name="Weights">Their weights w_i (squared first components of the Ritz vectors, divided by the number of runs).</param>
/// <param name="Runs">The Lanczos runs.</param>
/// <param name="MatVecs">The Hessian-vector products spent.</param>
public sealed record SpectralDensity(double[] Nodes, double[] Weights, int Runs, int MatVecs)
{
    /// <summary>Σ w_i θ_i^p: estimates tr(H^p)/n (exact in expectation over the starts, for p &lt; 2·steps).</summary>
    /// <param name="p">The power, 0 or more.</param>
    public double Moment(int p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        double sum = 0;
        for (int i = 0; i < Nodes.Length; i++)
            sum += Weights[i] * Math.Pow(Nodes[i], p);
        return sum;
    }

    /// <summary>
    /// The density smoothed by a Gaussian of width <paramref name="sigma"/>: Σ w_i N(t; θ_i, σ²) at each t of the grid
    /// (it integrates to 1 over a grid that covers the nodes by a few σ). Cost: grid length x node count evaluations.
    /// </summary>
    /// <param name="grid">The points t to evaluate at.</param>
    /// <param name="sigma">The kernel width, in eigenvalue units; more than 0.</param>
    public double[] Evaluate(IReadOnlyList<double> grid, double sigma)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (!(sigma > 0))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "SpectralDensity.Evaluate: sigma is the Gaussian kernel's width and must be more than 0.");
        var density = new double[grid.Count];
        double norm = 1 / (sigma * Math.Sqrt(2 * Math.PI));
        for (int g = 0; g < grid.Count; g++)
        {
            double sum = 0;
            for (int i = 0; i < Nodes.Length; i++)
            {
                double z = (grid[g] - Nodes[i]) / sigma;
                sum += Weights[i] * Math.Exp(-0.5 * z * z);
            }
            density[g] = sum * norm;
        }
        return density;
    }

    /// <summary>
    /// An evenly spaced grid of <paramref name="points"/> values from the smallest node minus 4σ to the largest plus 4σ, the
    /// natural domain of <see cref="Evaluate"/>.
    /// </summary>
    /// <param name="points">How many grid points (at least 2).</param>
    /// <param name="sigma">The kernel width that will be used.</param>
    public double[] Grid(int points, double sigma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        double lo = Nodes.Min() - 4 * sigma, hi = Nodes.Max() + 4 * sigma;
        return Enumerable.Range(0, points).Select(i => lo + (hi - lo) * i / (points - 1)).ToArray();
    }
}
