using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// Queues the always-on values of a step into the step's <see cref="DeviceReads"/> (the loss, every per-parameter gradient
/// norm, the sums of BatchNorm running statistics), and turns them into <see cref="StepStatistics"/> after the transfer.
/// </summary>
/// <remarks>
/// Norms are computed in the parameter's own dtype (libtorch accumulates float32 reductions in double on the CPU). A NaN or
/// Inf gradient shows up as a NaN or Inf norm. An infinite norm of a finite tensor (a float32 overflow of the norm itself)
/// is confirmed with an elementwise check and recomputed in float64 before anything is reported.
/// </remarks>
internal sealed class StepStatisticsReader
{
    private readonly ModuleTree _tree;
    private readonly Tensor[] _runningStatistics;
    private readonly Tensor?[] _gradients;
    private readonly DeviceRead?[] _gradientReads;
    private DeviceRead _loss;
    private DeviceRead _firstRunning;

    public StepStatisticsReader(ModuleTree tree)
    {
        _tree = tree;
        _runningStatistics = tree.Buffers
            .Where(b => b.Buffer.is_floating_point() && (b.Name.EndsWith("running_mean", StringComparison.Ordinal) || b.Name.EndsWith("running_var", StringComparison.Ordinal)))
            .Select(b => b.Buffer).ToArray();
        _gradients = new Tensor?[tree.Parameters.Count];
        _gradientReads = new DeviceRead?[tree.Parameters.Count];
    }

    /// <summary>Queues the loss, the gradient norms and the running-statistic sums (call inside a no_grad dispose scope).</summary>
    public void Queue(Tensor loss, DeviceReads reads)
    {
        _loss = loss.dim() == 0 ? reads.AddScalar(loss.detach()) : reads.Add(loss.detach());
        var parameters = _tree.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Tensor.grad;
            _gradients[i] = g;
            _gradientReads[i] = g is null ? null : reads.AddScalar(linalg.vector_norm(g));
        }
        _firstRunning = new DeviceRead(reads.Count);
        foreach (var s in _runningStatistics)
            reads.AddScalar(s.sum());
    }

    /// <summary>The statistics, after the transfer. Gradient tensors read by <see cref="Queue"/> are released.</summary>
    public StepStatistics Take(DeviceReads reads)
    {
        var norms = new double?[_gradients.Length];
        for (int i = 0; i < norms.Length; i++)
        {
            if (_gradientReads[i] is not { } read)
                continue;
            double norm = reads[read];
            if (double.IsPositiveInfinity(norm) && TensorStatisticsReader.IsFinite(_gradients[i]!))
            {
                using var scope = NewDisposeScope();
                norm = linalg.vector_norm(_gradients[i]!.to(ScalarType.Float64)).ToDouble(); // the norm overflowed, not the gradient
            }
            norms[i] = norm;
        }
        var running = new double[_runningStatistics.Length];
        for (int i = 0; i < running.Length; i++)
            running[i] = reads[new DeviceRead(_firstRunning.Index + i)];
        Array.Clear(_gradients);
        return new StepStatistics { Loss = reads[_loss], GradientNorms = norms, RunningStatisticSums = running };
    }
}
