using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

[TestClass]
public sealed class ParameterNormsTests
{
    private static nn.Module<Tensor, Tensor> Mlp()
    {
        manual_seed(1234);
        return nn.Sequential(
            ("fc1", nn.Linear(5, 4)),
            ("act", nn.ReLU()),
            ("fc2", nn.Linear(4, 3)));
    }

    private static void Backward(nn.Module<Tensor, Tensor> model, Tensor? input = null)
    {
        using var scope = NewDisposeScope();
        manual_seed(99);
        Tensor x = input ?? randn(8, 5);
        model.call(x).pow(2).mean().backward();
    }

    // Oracle: the norm summed in C# over the raw float32 values, independent of libtorch's reductions.
    private static double HostNorm(Tensor t)
    {
        using var scope = NewDisposeScope();
        Tensor cpu = t.detach().cpu();
        double sum = 0;
        if (cpu.dtype == ScalarType.Float64)
        {
            foreach (double v in cpu.data<double>())
            {
                sum += v * v;
            }
        }
        else
        {
            foreach (float v in cpu.data<float>())
            {
                sum += (double)v * v;
            }
        }

        return Math.Sqrt(sum);
    }

    [TestMethod]
    public void MatchesNormsSummedOnTheHost()
    {
        using var model = Mlp();
        Backward(model);

        IReadOnlyList<LayerStatistics> stats = ParameterNorms.Compute(model);

        var parameters = model.named_parameters().ToList();
        CollectionAssert.AreEqual(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, stats.Select(s => s.Name).ToArray());
        for (int i = 0; i < parameters.Count; i++)
        {
            double expectedWeight = HostNorm(parameters[i].parameter);
            double expectedGrad = HostNorm(parameters[i].parameter.grad!);
            Assert.IsGreaterThan(0.0, expectedGrad);
            Assert.AreEqual(expectedWeight, stats[i].WeightNorm!.Value, 1e-12 * expectedWeight, stats[i].Name);
            Assert.AreEqual(expectedGrad, stats[i].GradientNorm!.Value, 1e-12 * expectedGrad, stats[i].Name);
        }
    }

    [TestMethod]
    public void Float64ModuleMatchesToo()
    {
        using var model = Mlp();
        model.to(ScalarType.Float64);
        Backward(model, randn(8, 5, dtype: ScalarType.Float64));

        IReadOnlyList<LayerStatistics> stats = ParameterNorms.Compute(model);

        Tensor fc2Weight = model.named_parameters().Single(p => p.name == "fc2.weight").parameter;
        double expected = HostNorm(fc2Weight.grad!);
        Assert.AreEqual(expected, stats.Single(s => s.Name == "fc2.weight").GradientNorm!.Value, 1e-12 * expected);
    }

    [TestMethod]
    public void NoGradientGivesNullGradientNorm()
    {
        using var model = Mlp();

        IReadOnlyList<LayerStatistics> before = ParameterNorms.Compute(model);

        Assert.AreEqual(4, before.Count);
        Assert.IsTrue(before.All(s => s.GradientNorm is null));
        Assert.IsTrue(before.All(s => s.WeightNorm > 0));
    }

    [TestMethod]
    public void FrozenParameterHasNoGradientNorm()
    {
        using var model = Mlp();
        model.named_parameters().Single(p => p.name == "fc1.bias").parameter.requires_grad = false;
        Backward(model);

        IReadOnlyList<LayerStatistics> stats = ParameterNorms.Compute(model);

        Assert.IsNull(stats.Single(s => s.Name == "fc1.bias").GradientNorm);
        Assert.IsNotNull(stats.Single(s => s.Name == "fc1.weight").GradientNorm);
        Assert.IsNotNull(stats.Single(s => s.Name == "fc1.bias").WeightNorm);
    }

    [TestMethod]
    public void NaNInTheGradientGivesANaNNorm()
    {
        using var model = Mlp();
        Tensor x = randn(8, 5);
        x[0, 0] = tensor(float.NaN);
        Backward(model, x);

        IReadOnlyList<LayerStatistics> stats = ParameterNorms.Compute(model);

        Assert.IsTrue(double.IsNaN(stats.Single(s => s.Name == "fc1.weight").GradientNorm!.Value));
        Assert.IsTrue(double.IsFinite(stats.Single(s => s.Name == "fc1.weight").WeightNorm!.Value));
    }

    [TestMethod]
    public void LargeFloat32ValuesDoNotOverflowTheNorm()
    {
        using var model = nn.Linear(2, 2);
        using (no_grad())
        {
            model.weight!.fill_(1e20f); // each square is 1e40, beyond float32's 3.4e38
        }

        double weightNorm = ParameterNorms.Compute(model).Single(s => s.Name == "weight").WeightNorm!.Value;

        Assert.AreEqual(2e20, weightNorm, 2e20 * 1e-6);
    }

    [TestMethod]
    public void DoesNotChangeGradientsValuesOrFlags()
    {
        using var model = Mlp();
        model.named_parameters().Single(p => p.name == "fc2.bias").parameter.requires_grad = false;
        Backward(model);
        var parameters = model.named_parameters().ToList();
        float[][] gradsBefore = parameters.Select(p => p.parameter.grad is { } g ? g.data<float>().ToArray() : []).ToArray();
        float[][] valuesBefore = parameters.Select(p => p.parameter.data<float>().ToArray()).ToArray();
        bool[] flagsBefore = parameters.Select(p => p.parameter.requires_grad).ToArray();

        ParameterNorms.Compute(model);

        for (int i = 0; i < parameters.Count; i++)
        {
            Tensor p = parameters[i].parameter;
            Assert.AreEqual(flagsBefore[i], p.requires_grad, parameters[i].name);
            CollectionAssert.AreEqual(valuesBefore[i], p.data<float>().ToArray(), parameters[i].name);
            CollectionAssert.AreEqual(gradsBefore[i], p.grad is { } g ? g.data<float>().ToArray() : [], parameters[i].name);
        }

        Assert.IsTrue(is_grad_enabled(), "no_grad must be restored");
    }

    [TestMethod]
    public void LeavesNoLiveTensors()
    {
        using var model = Mlp();
        Backward(model);
        ParameterNorms.Compute(model); // warm up lazily created state

        DisposeScopeManager.Statistics.Reset();
        ParameterNorms.Compute(model);
        ThreadDisposeScopeStatistics stats = DisposeScopeManager.Statistics;

        Assert.IsGreaterThan(0L, stats.CreatedInScopeCount, "the computation should have been measured");
        Assert.AreEqual(0L, stats.CreatedOutsideScopeCount, stats.ToString());
        Assert.AreEqual(0L, stats.ThreadTotalLiveCount, stats.ToString());
    }

    [TestMethod]
    public void ModuleWithoutParametersGivesAnEmptyList()
    {
        using var relu = nn.ReLU();
        Assert.AreEqual(0, ParameterNorms.Compute(relu).Count);
    }
}
