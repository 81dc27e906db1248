using TorchSharp;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Anomalies;

/// <summary>
/// Always-on forward pre-hooks on BatchNorm layers: a batch that leaves one value per channel in train mode (libtorch then
/// turns <c>running_var</c> into NaN silently), and, when activation statistics are due, channels whose batch variance is
/// near zero. Shape checks cost nothing; the variance check costs one transfer per layer and runs only on schedule.
/// </summary>
internal sealed class BatchNormWatch : IDisposable
{
    private readonly List<Action> _removers = [];
    private readonly List<BatchNormIssue> _issues = [];

    public BatchNormWatch(ModuleTree tree)
    {
        foreach (var (path, module) in tree.Modules)
        {
            if (!ModuleTree.IsBatchNorm(module) || module is not nn.Module<Tensor, Tensor> bn)
                continue;
            string type = ModuleTree.TypeName(module);
            var remover = bn.register_forward_pre_hook((m, input) =>
            {
                Inspect(path, type, m, input);
                return null!;
            });
            _removers.Add(() => remover.remove());
        }
    }

    /// <summary>Whether the variance check runs during the coming forward pass.</summary>
    public bool CheckVariance { get; set; }

    /// <summary>While true (during a replay) the hooks observe nothing, so a replay's forward pass reports nothing twice.</summary>
    public bool Suspended { get; set; }

    /// <summary>Issues seen since the last <see cref="Take"/>.</summary>
    public List<BatchNormIssue> Take()
    {
        var taken = _issues.ToList();
        _issues.Clear();
        return taken;
    }

    /// <summary>How many times a hook of this watch ran (tests use it to prove the hooks are gone after Dispose).</summary>
    public int Invocations { get; private set; }

    private void Inspect(string path, string type, nn.Module module, Tensor input)
    {
        Invocations++;
        if (Suspended || !module.training || input.dim() < 2)
            return;
        long perChannel = input.numel() / Math.Max(1, input.shape[1]);
        if (perChannel <= 1)
        {
            _issues.Add(new BatchNormIssue(path, type,
                $"{type} '{path}' got a batch of shape [{string.Join(", ", input.shape)}] in train mode: one value per channel, so the batch variance is undefined " +
                "and libtorch silently sets running_var to NaN, poisoning every later evaluation."));
            return;
        }
        if (!CheckVariance)
            return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dims = Enumerable.Range(0, (int)input.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
        var variance = input.detach().to(ScalarType.Float64).var(dims, unbiased: false);
        var summary = stack(new[] { (variance < 1e-10).sum().to(ScalarType.Float64), variance.mean() }).cpu().data<double>().ToArray();
        if (summary[0] > 0)
            _issues.Add(new BatchNormIssue(path, type,
                $"{type} '{path}': {summary[0]} of {input.shape[1]} channel(s) have near-zero batch variance (< 1e-10; mean variance {summary[1]:G3}); " +
                "normalizing them divides by sqrt(eps) and amplifies noise and gradients."));
    }

    public void Dispose()
    {
        foreach (var remove in _removers)
            remove();
        _removers.Clear();
    }
}
