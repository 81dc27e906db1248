namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// One backend of <see cref="PointwiseEngine"/>. Arguments arrive validated; outputs are preallocated
/// by the engine.
/// </summary>
internal interface IPointwiseExecutor : IDisposable
{
    string DeviceName { get; }

    /// <summary>result[k][i] = f^(k)(points[i]) for k = 0..maxOrder.</summary>
    void Derivatives<TFunction>(ReadOnlySpan<double> points, int maxOrder, double[][] result)
        where TFunction : struct, IUnaryFunction;

    /// <summary>
    /// One jet of <paramref name="order"/> (1 or 2) per row and coordinate: values[row] = f,
    /// gradient[row·arity + d] = ∂_d f and, at order 2, second[row·arity + d] = ∂²_d f.
    /// </summary>
    void Directional<TFunction>(ReadOnlySpan<double> rows, int arity, int order, double[] values, double[] gradient, double[] second)
        where TFunction : struct, IMultivariateFunction;

    StatisticsPartial Statistics(ReadOnlySpan<float> values);

    /// <summary>Adds to slots (length bins + 3, see <see cref="StatisticsKernels.Slot"/>).</summary>
    void Histogram(ReadOnlySpan<float> values, double min, double max, int bins, long[] slots);
}
