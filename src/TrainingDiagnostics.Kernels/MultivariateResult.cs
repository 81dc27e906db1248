namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The derivatives of an <see cref="IMultivariateFunction"/> at n rows, from
/// <see cref="PointwiseEngine.Analyze{TFunction}(ReadOnlySpan{double}, DerivativeSet)"/>. Per-coordinate
/// quantities are flat and row-major, like the input: entry <c>row·Arity + i</c> belongs to coordinate i
/// of that row.
/// </summary>
public sealed class MultivariateResult
{
    private readonly double[]? _values;
    private readonly double[]? _gradient;
    private readonly double[]? _hessianDiagonal;
    private readonly double[]? _laplacian;

    internal MultivariateResult(
        int count, int arity, DerivativeSet computed,
        double[]? values, double[]? gradient, double[]? hessianDiagonal, double[]? laplacian)
    {
        Count = count;
        Arity = arity;
        Computed = computed;
        _values = values;
        _gradient = gradient;
        _hessianDiagonal = hessianDiagonal;
        _laplacian = laplacian;
    }

    /// <summary>The number of rows n.</summary>
    public int Count { get; }

    /// <summary>The number of coordinates per row.</summary>
    public int Arity { get; }

    /// <summary>The quantities that were computed (reading any other one throws).</summary>
    public DerivativeSet Computed { get; }

    /// <summary>f at each row (length n).</summary>
    /// <exception cref="InvalidOperationException">It was not requested.</exception>
    public double[] Values => _values ?? throw NotComputed(DerivativeSet.Value);

    /// <summary>∂f/∂x_i at each row, row-major (length n·Arity).</summary>
    /// <exception cref="InvalidOperationException">It was not requested.</exception>
    public double[] Gradient => _gradient ?? throw NotComputed(DerivativeSet.Gradient);

    /// <summary>∂²f/∂x_i² at each row, row-major (length n·Arity).</summary>
    /// <exception cref="InvalidOperationException">It was not requested.</exception>
    public double[] HessianDiagonal => _hessianDiagonal ?? throw NotComputed(DerivativeSet.HessianDiagonal);

    /// <summary>Δf = Σ_i ∂²f/∂x_i² at each row (length n).</summary>
    /// <exception cref="InvalidOperationException">It was not requested.</exception>
    public double[] Laplacian => _laplacian ?? throw NotComputed(DerivativeSet.Laplacian);

    /// <summary>The gradient of one row (a view of <see cref="Gradient"/>, no copy).</summary>
    /// <param name="row">The row index, 0..Count−1.</param>
    public ReadOnlySpan<double> GradientAt(int row) => Gradient.AsSpan(row * Arity, Arity);

    /// <summary>The Hessian diagonal of one row (a view of <see cref="HessianDiagonal"/>, no copy).</summary>
    /// <param name="row">The row index, 0..Count−1.</param>
    public ReadOnlySpan<double> HessianDiagonalAt(int row) => HessianDiagonal.AsSpan(row * Arity, Arity);

    private InvalidOperationException NotComputed(DerivativeSet what) => new(
        $"{what} was not computed: this result holds {Computed}. " +
        $"Pass DerivativeSet.{what} (or combine it with |) to PointwiseEngine.Analyze.");
}
