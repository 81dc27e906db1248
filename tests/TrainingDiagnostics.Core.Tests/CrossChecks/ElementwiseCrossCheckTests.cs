using TorchSharp;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.CrossChecks;

/// <summary>
/// The PointwiseEngine's jets against TorchSharp autograd (<see cref="AD.ElementwiseDerivative"/>, k nested backward
/// passes) on random points, orders 0..4, float64: on the CPU executor (SIMD lanes for the ILaneFunction functions,
/// scalar jets otherwise) and on ILGPU's CPU accelerator (the kernel path).
/// </summary>
/// <remarks>
/// Tolerance: |engine − autograd| ≤ 1e-10·max(1, |autograd|). Both sides evaluate the same derivative in float64 by
/// different algorithms (Taylor recurrences vs. reverse mode over libtorch's derivative formulas), each a few hundred
/// roundings of about 1.1e-16 whose terms at order 4 reach ~10³ times the result; every check here also passes at
/// 1e-12 (measured), so 1e-10 leaves a wide margin while any wrong rule (an O(1) relative error) still fails.
/// </remarks>
[TestClass]
public sealed class ElementwiseCrossCheckTests
{
    private const double Tolerance = 1e-10;
    private const int MaxOrder = 4;

    private static PointwiseEngine _cpu = null!;
    private static PointwiseEngine _kernels = null!;

    [ClassInitialize]
    public static void Open(TestContext context)
    {
        _cpu = new PointwiseEngine(AcceleratorPreference.Cpu);
        _kernels = new PointwiseEngine(AcceleratorPreference.CpuAccelerator);
    }

    [ClassCleanup]
    public static void Close()
    {
        _cpu?.Dispose();
        _kernels?.Dispose();
    }

    private static double[] RandomPoints(int n, double low, double high, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    /// <summary>Checks orders 0..MaxOrder of one function on both engines against autograd.</summary>
    private static void CrossCheck<TFunction>(Func<Tensor, Tensor> torchF, double[] x)
        where TFunction : struct, IUnaryFunction
    {
        var fromCpu = _cpu.Derivatives<TFunction>(x, MaxOrder);
        var fromKernels = _kernels.Derivatives<TFunction>(x, MaxOrder);
        using var input = tensor(x, dtype: ScalarType.Float64);
        for (int k = 0; k <= MaxOrder; k++)
        {
            using var d = AD.ElementwiseDerivative(torchF, input, k);
            var expected = d.data<double>().ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                double bound = Tolerance * Math.Max(1, Math.Abs(expected[i]));
                Assert.IsTrue(Math.Abs(fromCpu[k][i] - expected[i]) <= bound,
                    $"{typeof(TFunction).Name}, order {k}, x = {x[i]:R}: CPU executor {fromCpu[k][i]:R}, autograd {expected[i]:R}");
                Assert.IsTrue(Math.Abs(fromKernels[k][i] - expected[i]) <= bound,
                    $"{typeof(TFunction).Name}, order {k}, x = {x[i]:R}: CPU accelerator {fromKernels[k][i]:R}, autograd {expected[i]:R}");
            }
        }
    }

    [TestMethod]
    public void ExpOfSinTimesSquareMatchesNestedAutograd()
        => CrossCheck<ExpSinSquare>(ExpSinSquare.Torch, RandomPoints(1001, -4, 4, seed: 1));

    [TestMethod]
    public void ActivationsMatchNestedAutograd()
        => CrossCheck<Activations>(Activations.Torch, RandomPoints(517, -6, 6, seed: 2));

    [TestMethod]
    public void LogsRootsAndRealPowersMatchNestedAutograd()
        => CrossCheck<LogsAndPowers>(LogsAndPowers.Torch, RandomPoints(333, -3, 3, seed: 3));

    [TestMethod]
    public void AScalarOnlyFunctionMatchesNestedAutograd()
        => CrossCheck<ScalarOnly>(ScalarOnly.Torch, RandomPoints(129, -3, 3, seed: 4));

    /// <summary>The lane path serves orders 1 and 2 through other lane jets than order 4: check each order alone.</summary>
    [TestMethod]
    public void EachMaximumOrderAloneMatchesAutograd()
    {
        var x = RandomPoints(67, -2, 2, seed: 5);
        using var input = tensor(x, dtype: ScalarType.Float64);
        for (int order = 1; order <= MaxOrder; order++)
        {
            var d = _cpu.Derivatives<ExpSinSquare>(x, order);
            using var expected = AD.ElementwiseDerivative(ExpSinSquare.Torch, input, order);
            var e = expected.data<double>().ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                Assert.IsTrue(Math.Abs(d[order][i] - e[i]) <= Tolerance * Math.Max(1, Math.Abs(e[i])),
                    $"maxOrder {order}, x = {x[i]:R}: engine {d[order][i]:R}, autograd {e[i]:R}");
            }
        }
    }
}
