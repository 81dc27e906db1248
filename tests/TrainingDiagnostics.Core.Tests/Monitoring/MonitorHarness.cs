using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>A small training loop around <see cref="TrainingMonitor"/>, the way a user writes one.</summary>
internal static class MonitorHarness
{
    public static List<StepResult> Train(
        TrainingMonitor monitor,
        optim.Optimizer optimizer,
        int steps,
        Func<int, (Tensor X, Tensor Y)> batch,
        Func<Tensor, Tensor, Tensor> lossFunction,
        Action<int>? beforeStep = null)
    {
        var results = new List<StepResult>();
        var model = (nn.Module<Tensor, Tensor>)monitor.Model;
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            beforeStep?.Invoke(step);
            var (x, y) = batch(step);
            var result = monitor.Step(step, () => lossFunction(model.call(x), y));
            results.Add(result);
            if (result.ShouldStep)
                optimizer.step();
        }
        return results;
    }

    public static Tensor Mse(Tensor prediction, Tensor target) => (prediction - target).pow(2).mean();

    public static Tensor CrossEntropy(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    /// <summary>The first anomaly of the run, with a readable failure message when there is none.</summary>
    public static AnomalyEvent First(IEnumerable<StepResult> results, AnomalyKind? kind = null)
    {
        var all = results.SelectMany(r => r.Anomalies).ToList();
        var first = all.FirstOrDefault(a => kind is null || a.Kind == kind);
        Assert.IsNotNull(first, $"expected an anomaly{(kind is null ? "" : " of kind " + kind)}; got: " +
            string.Join("; ", all.Select(a => $"{a.Step}:{a.Kind}@{a.ModulePath}")));
        return first;
    }

    public static (Tensor X, Tensor Y) Regression(int step, int rows = 16, int features = 4)
    {
        var generator = new Generator((ulong)(1000 + step));
        var x = randn(rows, features, generator: generator);
        var y = x.sum(1, keepdim: true) * 0.5;
        return (x, y);
    }
}
