using Microsoft.ML.Transforms;
using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>
/// The base of the CustomMapping factories of <see cref="DiagnosticsCatalog.PointwiseDerivatives{TFunction}"/>. ML.NET saves
/// only a factory's contract name, so the configuration (function and order) lives in the name
/// (<c>TrainingDiagnostics.PointwiseDerivatives/{order}/{function type}</c>) and in a small sealed subclass per (function,
/// order) that the catalog generates and registers with the context. A loading context must generate it again before
/// <c>mlContext.Model.Load</c>: call <see cref="DiagnosticsCatalog.RegisterPointwiseDerivatives{TFunction}"/> with the same
/// function and order (or build the same stage once).
/// </summary>
/// <typeparam name="TFunction">The function (a public struct), evaluated by the <see cref="PointwiseEngine"/> on the CPU executor, with its SIMD path when it also implements <see cref="ILaneFunction"/>.</typeparam>
public abstract class PointwiseDerivativesFactory<TFunction> : CustomMappingFactory<PointwiseInput, PointwiseOutput>
    where TFunction : struct, IUnaryFunction
{
    private static readonly Lazy<PointwiseEngine> Engine = new(() => new PointwiseEngine(AcceleratorPreference.Cpu));

    /// <summary>Creates the factory for derivatives of orders 0..<paramref name="order"/>.</summary>
    /// <param name="order">The highest derivative, 0..<see cref="Jet.MaxOrder"/>.</param>
    protected PointwiseDerivativesFactory(int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, Jet.MaxOrder);
        Order = order;
    }

    /// <summary>The highest derivative computed.</summary>
    public int Order { get; }

    /// <summary>The mapping: one jet evaluation of f per input value, orders 0..<see cref="Order"/>, order-major.</summary>
    /// <returns>The mapping action.</returns>
    public override Action<PointwiseInput, PointwiseOutput> GetMapping() => (input, output) =>
        output.Derivatives = Compute(input.Values.DenseValues().ToArray(), Order);

    internal static float[] Compute(float[] values, int order)
    {
        var points = Array.ConvertAll(values, v => (double)v);
        var result = new float[(order + 1) * points.Length];
        if (points.Length == 0)
        {
            return result;
        }

        double[][] derivatives = Engine.Value.Derivatives<TFunction>(points, order);
        for (int k = 0; k <= order; k++)
        {
            for (int i = 0; i < points.Length; i++)
            {
                result[(k * points.Length) + i] = (float)derivatives[k][i];
            }
        }

        return result;
    }
}
