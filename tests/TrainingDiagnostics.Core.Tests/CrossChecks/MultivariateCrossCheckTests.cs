using TorchSharp;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.CrossChecks;

/// <summary>
/// <see cref="PointwiseEngine.Analyze{TFunction}"/> (directional jets, one per coordinate) against TorchSharp autograd
/// row by row: the value against f itself, the gradient against <see cref="AD.Grad(Func{Tensor, Tensor}, Tensor)"/>,
/// the Hessian diagonal and the Laplacian (its trace) against <see cref="AD.Hessian(Func{Tensor, Tensor}, Tensor)"/>.
/// Float64, on the CPU executor and the CPU accelerator.
/// </summary>
/// <remarks>
/// Tolerance 1e-11·max(1, |autograd|): orders 1 and 2 of functions of a few dozen operations, where both sides round
/// about as often (every check here also passes at 1e-14, measured); a wrong rule or a swapped coordinate gives O(1) errors.
/// </remarks>
[TestClass]
public sealed class MultivariateCrossCheckTests
{
    private const double Tolerance = 1e-11;

    private static void AssertClose(double expected, double actual, string what)
        => Assert.IsTrue(Math.Abs(actual - expected) <= Tolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: engine {actual:R}, autograd {expected:R}");

    private static void CrossCheck<TFunction>(Func<Tensor, Tensor> torchF, int rows, int seed, AcceleratorPreference backend)
        where TFunction : struct, IMultivariateFunction
    {
        int arity = default(TFunction).Arity;
        var random = new Random(seed);
        var points = Enumerable.Range(0, rows * arity).Select(_ => 3 * random.NextDouble() - 1.5).ToArray();
        using var engine = new PointwiseEngine(backend);
        var result = engine.Analyze<TFunction>(points, DerivativeSet.All);
        Assert.AreEqual(rows, result.Count);
        for (int r = 0; r < rows; r++)
        {
            using var x = tensor(points.AsSpan(r * arity, arity).ToArray(), dtype: ScalarType.Float64);
            using var value = torchF(x);
            using var gradient = AD.Grad(torchF, x);
            using var hessian = AD.Hessian(torchF, x);
            var g = gradient.data<double>().ToArray();
            var h = hessian.data<double>().ToArray(); // row-major arity × arity
            string where = $"{typeof(TFunction).Name} on {backend}, row {r}";
            AssertClose(value.item<double>(), result.Values[r], $"{where}, value");
            double trace = 0;
            for (int d = 0; d < arity; d++)
            {
                AssertClose(g[d], result.GradientAt(r)[d], $"{where}, ∂f/∂x{d}");
                AssertClose(h[d * arity + d], result.HessianDiagonalAt(r)[d], $"{where}, ∂²f/∂x{d}²");
                trace += h[d * arity + d];
            }

            AssertClose(trace, result.Laplacian[r], $"{where}, Laplacian");
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void ThreeVariablesMatchGradAndHessian(AcceleratorPreference backend)
        => CrossCheck<Mixed3>(Mixed3.Torch, rows: 25, seed: 7, backend);

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void SixVariablesMatchGradAndHessian(AcceleratorPreference backend)
        => CrossCheck<Quadratic6>(Quadratic6.Torch, rows: 15, seed: 8, backend);
}
