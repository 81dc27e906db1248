using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// Matrix-free estimators of the curvature of a <see cref="HessianOperator"/>: trace (Hutchinson, Hutch++), eigenvalues of
/// largest magnitude (Lanczos), spectral density (stochastic Lanczos quadrature) and diagonal (Hutchinson). Each touches H
/// only through <see cref="HessianOperator.Apply"/> and states its cost in matvecs (one backward pass each). Randomness
/// comes from a private generator seeded by the options, so results repeat and the global torch RNG never moves.
/// </summary>
public static class Curvature
{
    /// <summary>
    /// Estimates tr(H) with a standard error. Hutchinson: the mean of zᵀHz over Rademacher z, at least
    /// <see cref="TraceOptions.MinMatVecs"/> probes, stopping when the standard error is within
    /// <see cref="TraceOptions.Tolerance"/> of the estimate or at <see cref="TraceOptions.MaxMatVecs"/>. Hutch++: exactly
    /// <see cref="TraceOptions.MaxMatVecs"/> matvecs (a third to sketch, a third for the sketched trace, a third for the
    /// remainder). Cost: that many matvecs.
    /// </summary>
    /// <param name="h">The operator.</param>
    /// <param name="options">Method, budget, tolerance and seed; defaults when null.</param>
    public static TraceEstimate Trace(HessianOperator h, TraceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        options ??= new TraceOptions();
        return options.Method switch
        {
            TraceMethod.Hutchinson => Hutchinson(h, options),
            TraceMethod.HutchPlusPlus => HutchPlusPlus(h, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Curvature.Trace: Method must be Hutchinson or HutchPlusPlus."),
        };
    }

    /// <summary>
    /// The <paramref name="k"/> eigenvalues of H of largest magnitude, by descending |λ|, with residual error bars, by
    /// Lanczos with full reorthogonalization from a Gaussian start. Stops when every residual is within
    /// <see cref="EigenOptions.Tolerance"/> x max|θ|; when the budget runs out first it returns the current Ritz values with
    /// <see cref="EigenEstimate.Converged"/> false. Cost: at most <see cref="EigenOptions.MaxMatVecs"/> matvecs (and at most
    /// <see cref="HessianOperator.Dimension"/>), plus a basis of that many vectors of memory.
    /// </summary>
    /// <param name="h">The operator.</param>
    /// <param name="k">How many eigenvalues, 1 to Dimension.</param>
    /// <param name="options">Budget, tolerance and seed; defaults when null.</param>
    public static EigenEstimate TopEigenvalues(HessianOperator h, int k = 1, EigenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        options ??= new EigenOptions();
        if (k < 1 || k > h.Dimension)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Curvature.TopEigenvalues: k must be between 1 and the operator's Dimension ({h.Dimension}).");
        if (options.MaxMatVecs < k)
            throw new ArgumentException(
                $"Curvature.TopEigenvalues: {k} eigenvalues need at least {k} Lanczos steps, but MaxMatVecs is {options.MaxMatVecs}. " +
                "Raise EigenOptions.MaxMatVecs (a few times k is typical).", nameof(options));
        if (!(options.Tolerance >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance, "Curvature.TopEigenvalues: Tolerance must be 0 or more.");

        using var scope = NewDisposeScope();
        using var generator = Probes.Generator(options.Seed);
        var start = Probes.Gaussian(generator, h.Dimension, h.DType, h.Device);
        bool converged = false;
        var run = Lanczos.Run(h, start, options.MaxMatVecs, current =>
        {
            if (current.Steps < k)
                return false;
            converged = Top(current, k).Converged(options.Tolerance);
            return converged;
        });
        var top = Top(run, k);
        converged = run.Invariant || top.Converged(options.Tolerance);
        return new EigenEstimate(top.Values, top.Residuals, run.Steps, converged);
    }

    /// <summary>
    /// The spectral density of H by stochastic Lanczos quadrature (Lin, Saad, Yang 2016; Ghorbani, Krishnan, Xiao 2019):
    /// <see cref="DensityOptions.Runs"/> Lanczos runs with full reorthogonalization, each from a normalized Rademacher
    /// start, each giving <see cref="DensityOptions.StepsPerRun"/> Gauss quadrature nodes (Ritz values) and weights (squared
    /// first eigenvector components). Weights sum to 1; Σ wθ^p estimates tr(H^p)/n. Cost: Runs x StepsPerRun matvecs (steps
    /// capped at Dimension), and one run's basis of memory at a time.
    /// </summary>
    /// <param name="h">The operator.</param>
    /// <param name="options">Runs, steps and seed; defaults when null.</param>
    public static SpectralDensity Density(HessianOperator h, DensityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        options ??= new DensityOptions();
        if (options.Runs < 1 || options.StepsPerRun < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Curvature.Density: Runs and StepsPerRun must be at least 1 (got {options.Runs} and {options.StepsPerRun}).");

        using var scope = NewDisposeScope();
        using var generator = Probes.Generator(options.Seed);
        var nodes = new List<double>();
        var weights = new List<double>();
        int matVecs = 0;
        for (int r = 0; r < options.Runs; r++)
        {
            using var runScope = NewDisposeScope();
            var start = Probes.Rademacher(generator, h.Dimension, h.DType, h.Device);
            var run = Lanczos.Run(h, start, options.StepsPerRun);
            matVecs += run.Steps;
            var (theta, first, _) = run.Ritz();
            for (int i = 0; i < theta.Length; i++)
            {
                nodes.Add(theta[i]);
                weights.Add(first[i] * first[i] / options.Runs);
            }
        }
        return new SpectralDensity(nodes.ToArray(), weights.ToArray(), options.Runs, matVecs);
    }

    /// <summary>
    /// Estimates diag(H) as the mean of z ⊙ Hz over Rademacher probes z (Bekas, Kokiopoulou, Saad 2007), with a standard
    /// error per entry. Cost: <see cref="DiagonalOptions.MaxMatVecs"/> matvecs.
    /// </summary>
    /// <param name="h">The operator.</param>
    /// <param name="options">Budget and seed; defaults when null.</param>
    public static DiagonalEstimate Diagonal(HessianOperator h, DiagonalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        options ??= new DiagonalOptions();
        int m = options.MaxMatVecs;
        if (m < 2)
            throw new ArgumentOutOfRangeException(nameof(options), m, "Curvature.Diagonal: MaxMatVecs must be at least 2 (a standard error needs two probes).");

        using var scope = NewDisposeScope();
        using var generator = Probes.Generator(options.Seed);
        var sum = zeros(h.Dimension, dtype: ScalarType.Float64, device: h.Device);
        var sumSquares = zeros(h.Dimension, dtype: ScalarType.Float64, device: h.Device);
        for (int i = 0; i < m; i++)
        {
            using var step = NewDisposeScope();
            var z = Probes.Rademacher(generator, h.Dimension, h.DType, h.Device);
            var sample = (z * h.Apply(z)).to(ScalarType.Float64);
            sum.add_(sample);
            sumSquares.add_(sample * sample);
        }
        var mean = sum / m;
        var variance = ((sumSquares - m * mean * mean) / (m - 1)).clamp_min(0);
        var se = (variance / m).sqrt();
        return new DiagonalEstimate(Host(mean), Host(se), m);
    }

    private static TraceEstimate Hutchinson(HessianOperator h, TraceOptions options)
    {
        if (options.MaxMatVecs < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMatVecs, "Curvature.Trace: MaxMatVecs must be at least 2 (a standard error needs two probes).");
        if (!(options.Tolerance >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance, "Curvature.Trace: Tolerance must be 0 or more.");
        int min = Math.Clamp(options.MinMatVecs, 2, options.MaxMatVecs);

        using var scope = NewDisposeScope();
        using var generator = Probes.Generator(options.Seed);
        var samples = new List<double>(options.MaxMatVecs);
        while (samples.Count < options.MaxMatVecs)
        {
            using var step = NewDisposeScope();
            var z = Probes.Rademacher(generator, h.Dimension, h.DType, h.Device);
            samples.Add(z.to(ScalarType.Float64).dot(h.Apply(z).to(ScalarType.Float64)).ToDouble());
            if (samples.Count >= min && options.Tolerance > 0)
            {
                var (mean, se) = MeanAndStandardError(samples);
                if (se <= options.Tolerance * Math.Abs(mean))
                    break;
            }
        }
        var (value, standardError) = MeanAndStandardError(samples);
        return new TraceEstimate(value, standardError, samples.Count, TraceMethod.Hutchinson);
    }

    private static TraceEstimate HutchPlusPlus(HessianOperator h, TraceOptions options)
    {
        int m = options.MaxMatVecs;
        if (m < 6)
            throw new ArgumentOutOfRangeException(nameof(options), m,
                "Curvature.Trace: Hutch++ splits its budget in three (sketch, sketched trace, remainder) and needs MaxMatVecs of at least 6.");

        using var scope = NewDisposeScope();
        using var generator = Probes.Generator(options.Seed);
        long n = h.Dimension;
        int sketch = (int)Math.Min(m / 3, n);
        int remainder = m - 2 * sketch;

        // Q: an orthonormal basis of the range of H·S (S Rademacher), in float64.
        var s = Probes.Rademacher(generator, n, h.DType, h.Device, rows: sketch);
        var hs = stack(Enumerable.Range(0, sketch).Select(j => h.Apply(s[j]).to(ScalarType.Float64)).ToArray(), dim: 1);
        var (q, _) = linalg.qr(hs);
        double sketched = 0;
        for (int j = 0; j < sketch; j++)
        {
            using var step = NewDisposeScope();
            var column = q[.., j];
            sketched += column.dot(h.Apply(column).to(ScalarType.Float64)).ToDouble();
        }

        var samples = new List<double>(remainder);
        for (int i = 0; i < remainder; i++)
        {
            using var step = NewDisposeScope();
            var z = Probes.Rademacher(generator, n, ScalarType.Float64, h.Device);
            var p = z - q.mv(q.t().mv(z));
            samples.Add(p.dot(h.Apply(p).to(ScalarType.Float64)).ToDouble());
        }
        var (rest, standardError) = samples.Count >= 2 ? MeanAndStandardError(samples) : (samples.Sum(), 0.0);
        return new TraceEstimate(sketched + rest, standardError, sketch * 2 + remainder, TraceMethod.HutchPlusPlus);
    }

    private readonly record struct TopRitz(double[] Values, double[] Residuals)
    {
        public bool Converged(double tolerance)
        {
            double scale = Values.Max(Math.Abs);
            return Residuals.All(r => r <= tolerance * scale);
        }
    }

    private static TopRitz Top(Lanczos run, int k)
    {
        var (theta, _, last) = run.Ritz();
        var residuals = run.Residuals(last);
        var order = Enumerable.Range(0, theta.Length).OrderByDescending(i => Math.Abs(theta[i])).Take(k).ToArray();
        return new TopRitz(order.Select(i => theta[i]).ToArray(), order.Select(i => residuals[i]).ToArray());
    }

    private static (double Mean, double StandardError) MeanAndStandardError(List<double> samples)
    {
        double mean = samples.Average();
        double sumSquares = samples.Sum(x => (x - mean) * (x - mean));
        return (mean, Math.Sqrt(sumSquares / (samples.Count - 1) / samples.Count));
    }

    private static double[] Host(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();
}
