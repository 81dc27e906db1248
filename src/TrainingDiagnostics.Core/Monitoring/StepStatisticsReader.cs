using TorchSharp;
using TrainingDiagnostics.Anomalies;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Reads the loss, per-parameter gradient norms (and, when scheduled, weight norms and update norms) and BatchNorm running
/// statistic sums with ONE device-to-host transfer: every value is a 0-dim tensor on the device, stacked and copied once.
/// </summary>
/// <remarks>
/// Norms are computed in the parameter's own dtype (libtorch accumulates float32 reductions in double on the CPU). A NaN or
/// Inf gradient shows up as a NaN or Inf norm. An infinite norm of a finite tensor (a float32 overflow of the norm itself)
/// is confirmed with an elementwise check and recomputed in float64 before anything is reported.
/// </remarks>
internal sealed class StepStatisticsReader
{
    private readonly ModuleTree _tree;
    private readonly List<Tensor> _runningStatistics;
    private Tensor[]? _previousWeights;

    public StepStatisticsReader(ModuleTree tree)
    {
        _tree = tree;
        _runningStatistics = tree.Buffers
            .Where(b => b.Buffer.is_floating_point() && (b.Name.EndsWith("running_mean", StringComparison.Ordinal) || b.Name.EndsWith("running_var", StringComparison.Ordinal)))
            .Select(b => b.Buffer).ToList();
    }

    /// <summary>Whether a copy of the weights waits for the next step to measure the update.</summary>
    public bool HasPreviousWeights => _previousWeights is not null;

    /// <summary>Copies the current weights; the next <see cref="Read"/> measures the update from them.</summary>
    public void RememberWeights()
    {
        ForgetWeights();
        using var noGrad = no_grad();
        _previousWeights = _tree.Parameters.Select(p => p.Tensor.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    public void ForgetWeights()
    {
        if (_previousWeights is null)
            return;
        foreach (var w in _previousWeights)
            w.Dispose();
        _previousWeights = null;
    }

    public StepStatistics Read(Tensor loss, bool weightNorms)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameters = _tree.Parameters;
        var parts = new List<Tensor>(2 + 4 * parameters.Count) { loss.detach().reshape(-1)[0] };
        var gradients = new Tensor?[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            gradients[i] = parameters[i].Tensor.grad;
            if (gradients[i] is { } g)
                parts.Add(linalg.vector_norm(g));
        }
        if (weightNorms)
            foreach (var p in parameters)
                parts.Add(linalg.vector_norm(p.Tensor));
        var previous = _previousWeights;
        if (previous is not null)
        {
            for (int i = 0; i < parameters.Count; i++)
                parts.Add(linalg.vector_norm(parameters[i].Tensor.detach() - previous[i]));
            foreach (var w in previous)
                parts.Add(linalg.vector_norm(w));
        }
        foreach (var s in _runningStatistics)
            parts.Add(s.sum());

        var host = Stack(parts);
        int k = 0;
        double lossValue = host[k++];
        var gradNorms = new double?[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            if (gradients[i] is null)
                continue;
            double norm = host[k++];
            if (double.IsPositiveInfinity(norm) && TensorStatisticsReader.IsFinite(gradients[i]!))
                norm = linalg.vector_norm(gradients[i]!.to(ScalarType.Float64)).ToDouble(); // the norm overflowed, not the gradient
            gradNorms[i] = norm;
        }
        double[]? weights = weightNorms ? Slice(host, ref k, parameters.Count) : null;
        double[]? updates = previous is not null ? Slice(host, ref k, parameters.Count) : null;
        double[]? previousNorms = previous is not null ? Slice(host, ref k, parameters.Count) : null;
        double[] running = Slice(host, ref k, _runningStatistics.Count);
        if (previous is not null)
            ForgetWeights();

        return new StepStatistics
        {
            Loss = lossValue,
            GradientNorms = gradNorms,
            WeightNorms = weights,
            UpdateNorms = updates,
            PreviousWeightNorms = previousNorms,
            RunningStatisticSums = running,
        };
    }

    private static double[] Stack(List<Tensor> parts)
    {
        // Group by dtype so each group is one stack; then one cast and one copy to the host.
        var device = parts[0].device;
        var stacked = parts.Select(p => p.device == device ? p : p.to(device))
            .Select(p => p.dtype == ScalarType.Float64 ? p : p.to(ScalarType.Float64));
        return stack(stacked.ToList()).cpu().data<double>().ToArray();
    }

    private static double[] Slice(double[] values, ref int k, int count)
    {
        var slice = values.AsSpan(k, count).ToArray();
        k += count;
        return slice;
    }
}
