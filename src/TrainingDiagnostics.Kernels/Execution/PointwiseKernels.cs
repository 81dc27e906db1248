using ILGPU;

namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>
/// The per-element work of the engine and the ILGPU kernels that run it. <see cref="ParallelExecutor"/>
/// calls the same element methods (<see cref="Unary{TFunction}"/>, <see cref="Directional{TFunction}"/>,
/// <see cref="Factorial"/>) from a Parallel.For, so every backend runs one piece of code per element.
/// </summary>
internal static class PointwiseKernels
{
    /// <summary>The jet of f at x: value and Taylor coefficients up to <paramref name="order"/>.</summary>
    public static Jet Unary<TFunction>(double x, int order)
        where TFunction : struct, IUnaryFunction
        => default(TFunction).Invoke(Jet.Variable(x, order));

    /// <summary>The jet of f along coordinate <c>args.Direction</c>, for arguments already filled in.</summary>
    public static Jet Directional<TFunction>(JetArgs args)
        where TFunction : struct, IMultivariateFunction
        => default(TFunction).Invoke(args);

    /// <summary>k! by a loop (kernels have no tables); exact in double up to 18!.</summary>
    public static double Factorial(int k)
    {
        double f = 1;
        for (int i = 2; i <= k; i++)
        {
            f *= i;
        }

        return f;
    }

    /// <summary>
    /// Derivatives of f: output[k·n + i] = f^(k)(points[i]) = k!·jet[k] (order-major, so writes of one
    /// order by neighbouring threads are coalesced).
    /// </summary>
    public static void DerivativesKernel<TFunction>(
        Index1D thread, ArrayView<double> points, ArrayView<double> output, int maxOrder, LaunchPlan plan)
        where TFunction : struct, IUnaryFunction
    {
        for (int j = 0; j < plan.PerThread; j++)
        {
            long i = plan.Index(thread, j);
            if (i >= plan.Count)
            {
                return;
            }

            var y = Unary<TFunction>(points[i], maxOrder);
            for (int k = 0; k <= maxOrder; k++)
            {
                output[k * plan.Count + i] = y[k] * Factorial(k);
            }
        }
    }

    /// <summary>
    /// One directional pass per element e = row·arity + d: the jet of f along coordinate d at that row.
    /// Writes f (for d = 0) to values[row], ∂_d f to gradient[e] and, at order 2, ∂²_d f = 2·jet[2] to
    /// second[e].
    /// </summary>
    public static void DirectionalKernel<TFunction>(
        Index1D thread, ArrayView<double> rows, ArrayView<double> values, ArrayView<double> gradient,
        ArrayView<double> second, int arity, int order, LaunchPlan plan)
        where TFunction : struct, IMultivariateFunction
    {
        for (int j = 0; j < plan.PerThread; j++)
        {
            long e = plan.Index(thread, j);
            if (e >= plan.Count)
            {
                return;
            }

            long row = e / arity;
            int direction = (int)(e - row * arity);
            var args = JetArgs.Create(arity, direction, order);
            for (int i = 0; i < arity; i++)
            {
                args.Set(i, rows[row * arity + i]);
            }

            var y = Directional<TFunction>(args);
            if (direction == 0)
            {
                values[row] = y.Value;
            }

            gradient[e] = y[1];
            if (order >= 2)
            {
                second[e] = 2 * y[2];
            }
        }
    }
}
