using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The Lanczos iteration on a <see cref="HessianOperator"/>, with full reorthogonalization (each new vector is
/// orthogonalized twice against all previous ones, so the Ritz values carry no spurious copies). It keeps only the basis
/// of the current run, in the operator's dtype, and the tridiagonal T = tridiag(β, α, β) on the host in float64.
/// </summary>
internal sealed class Lanczos
{
    private readonly List<double> _alpha = new();
    private readonly List<double> _beta = new();

    private Lanczos() { }

    /// <summary>Diagonal of T.</summary>
    public IReadOnlyList<double> Alpha => _alpha;

    /// <summary>β_j for j = 0..steps-1: the norm of the residual after step j (the last one is the coupling to the next step).</summary>
    public IReadOnlyList<double> Beta => _beta;

    /// <summary>True when a β vanished: the Krylov space is invariant and the Ritz values are exact eigenvalues.</summary>
    public bool Invariant { get; private set; }

    public int Steps => _alpha.Count;

    /// <summary>
    /// Runs up to <paramref name="maxSteps"/> steps from <paramref name="start"/>; after each step <paramref name="stop"/>
    /// (given the iteration so far) may end it early. Cost: one Hessian-vector product per step.
    /// </summary>
    public static Lanczos Run(HessianOperator h, Tensor start, int maxSteps, Func<Lanczos, bool>? stop = null)
    {
        using var scope = NewDisposeScope();
        var run = new Lanczos();
        long n = h.Dimension;
        maxSteps = (int)Math.Min(maxSteps, n);
        var basis = zeros(maxSteps, n, dtype: h.DType, device: h.Device);
        using (no_grad())
        {
            var q0 = start.to(h.DType, h.Device);
            basis[0].copy_(q0 / q0.norm());
        }
        double scale = 0;
        for (int j = 0; j < maxSteps; j++)
        {
            using var step = NewDisposeScope();
            var q = basis[j];
            var w = h.Apply(q);
            double alpha = w.dot(q).ToDouble();
            w = w - alpha * q;
            var previous = basis.narrow(0, 0, j + 1);
            for (int pass = 0; pass < 2; pass++)
                w = w - previous.t().mv(previous.mv(w));
            double beta = w.norm().ToDouble();
            run._alpha.Add(alpha);
            run._beta.Add(beta);
            scale = Math.Max(scale, Math.Abs(alpha) + beta);
            if (beta <= 1e-10 * Math.Max(scale, double.Epsilon) || j + 1 == n)
            {
                run.Invariant = true;
                break;
            }
            if (j + 1 == maxSteps || (stop is not null && stop(run)))
                break;
            basis[j + 1].copy_(w / beta);
        }
        return run;
    }

    /// <summary>Eigenvalues θ (ascending) of T and, per eigenvalue, the first and last components of its unit eigenvector.</summary>
    public (double[] Theta, double[] First, double[] Last) Ritz()
    {
        int m = Steps;
        var t = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            t[i * m + i] = _alpha[i];
            if (i + 1 < m)
                t[i * m + i + 1] = t[(i + 1) * m + i] = _beta[i];
        }
        using var scope = NewDisposeScope();
        var (values, vectors) = linalg.eigh(tensor(t, new long[] { m, m }, ScalarType.Float64));
        var theta = values.data<double>().ToArray();
        var first = vectors[0].data<double>().ToArray();
        var last = vectors[m - 1].data<double>().ToArray();
        return (theta, first, last);
    }

    /// <summary>Lanczos' residual estimate ‖Hy - θy‖ = |β_m s_m| of each Ritz pair (zero when the space is invariant).</summary>
    public double[] Residuals(double[] last)
    {
        double beta = Invariant ? 0 : _beta[^1];
        return last.Select(s => Math.Abs(beta * s)).ToArray();
    }
}
