using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

[TestClass]
public sealed class StdeTests
{
    private static Tensor Coupled(Tensor z) => (z * z.roll(1)).exp().sum() + z.pow(3).sum() * z.sin().sum();

    [TestMethod]
    public void StdeLaplacianIsWithinFourStandardErrorsOfTheExactOne()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.3, -0.5, 0.8, 0.1, -0.9, 0.4, 0.7, -0.2 }, ScalarType.Float64);
        double exact = Taylor.Laplacian(Coupled, x).ToDouble();
        using var generator = new Generator(2024, CPU);
        var rng = get_rng_state().data<byte>().ToArray();
        var estimate = Stde.Laplacian(Coupled, x, 200, generator);
        CollectionAssert.AreEqual(rng, get_rng_state().data<byte>().ToArray(), "the global RNG is not used");
        Assert.AreEqual(200, estimate.Samples);
        Assert.IsTrue(estimate.StandardError > 0);
        Assert.IsTrue(Math.Abs(estimate.Value - exact) <= 4 * estimate.StandardError, $"STDE {estimate.Value} ± {estimate.StandardError}, exact {exact}");
    }

    [TestMethod]
    public void StdeThroughJetsOfASequentialIsWithinFourStandardErrorsOfTheExactLaplacian()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(8, CPU);
        var model = nn.Sequential(
            ("fc1", nn.Linear(6, 16, dtype: ScalarType.Float64)), ("tanh", nn.Tanh()),
            ("fc2", nn.Linear(16, 16, dtype: ScalarType.Float64)), ("softplus", nn.Softplus()),
            ("fc3", nn.Linear(16, 1, dtype: ScalarType.Float64)));
        using (no_grad())
            foreach (var p in model.parameters())
                p.copy_(randn(p.shape, ScalarType.Float64, generator: generator));
        var x = randn(new long[] { 6 }, ScalarType.Float64, generator: generator);
        double exact = Taylor.Laplacian(z => model.call(z.unsqueeze(0)).sum(), x).ToDouble();
        var estimate = Stde.Laplacian(model, x, 400, generator);
        Assert.IsTrue(Math.Abs(estimate.Value - exact) <= 4 * estimate.StandardError, $"STDE {estimate.Value} ± {estimate.StandardError}, exact {exact}");
    }

    [TestMethod]
    public void StdeOfASeparableFunctionIsExactWithRademacherDirections()
    {
        using var scope = NewDisposeScope();
        // A diagonal Hessian: vᵀHv = Σ H_ii v_i² = tr(H) for every Rademacher v.
        var x = tensor(new[] { 0.5, -1.5, 2.0 }, ScalarType.Float64);
        using var generator = new Generator(1, CPU);
        var estimate = Stde.Laplacian(z => z.pow(3).sum(), x, 5, generator);
        Assert.AreEqual(6 * x.sum().ToDouble(), estimate.Value, 1e-12);
        Assert.AreEqual(0.0, estimate.StandardError, 1e-12);
    }

    [TestMethod]
    public void TooFewSamplesIsAnArgumentException()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1, CPU);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Stde.Laplacian(z => z.pow(3).sum(), ones(3, ScalarType.Float64), 1, generator));
    }
}
