using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// Queues the always-on values of a step into the step's <see cref="DeviceReads"/> (the loss, every per-parameter gradient
/// norm, a finiteness probe of the BatchNorm running statistics), and turns them into <see cref="StepStatistics"/> after
/// the transfer.
/// </summary>
/// <remarks>
/// Norms are computed in the parameter's own dtype (libtorch accumulates float32 reductions in double on the CPU). A NaN or
/// Inf gradient shows up as a NaN or Inf norm. An infinite norm of a finite tensor (a float32 overflow of the norm itself)
/// is confirmed with an elementwise check and recomputed in float64 before anything is reported.
/// <para>The running statistics are probed with sum(cat(all) * 0): 0 when every value is finite, NaN otherwise (a plain
/// sum could overflow to infinity on finite values). Three operations whatever the number of BatchNorm layers, when the
/// statistics are vectors of one dtype on one device (always, for the built-in layers); one probe per tensor otherwise.</para>
/// </remarks>
internal sealed class StepStatisticsReader
{
    private readonly ModuleTree _tree;
    private readonly Tensor[] _runningStatistics;
    private readonly bool _oneProbe;
    private readonly Tensor?[] _gradients;
    private readonly DeviceRead?[] _gradientReads;
    private readonly List<DeviceRead> _probes = [];
    private DeviceRead _loss;

    public StepStatisticsReader(ModuleTree tree)
    {
        _tree = tree;
        _runningStatistics = tree.Buffers
            .Where(b => b.Buffer.is_floating_point() && (b.Name.EndsWith("running_mean", StringComparison.Ordinal) || b.Name.EndsWith("running_var", StringComparison.Ordinal)))
            .Select(b => b.Buffer).ToArray();
        _oneProbe = _runningStatistics.Length > 0 && _runningStatistics.All(t => t.dim() == 1 && t.dtype == _runningStatistics[0].dtype
            && t.device_type == _runningStatistics[0].device_type && t.device_index == _runningStatistics[0].device_index);
        _gradients = new Tensor?[tree.Parameters.Count];
        _gradientReads = new DeviceRead?[tree.Parameters.Count];
    }

    /// <summary>Queues the loss, the gradient norms and the running-statistics probe (call inside a no_grad dispose scope).</summary>
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
        _probes.Clear();
        if (_oneProbe)
            _probes.Add(reads.AddScalar((_runningStatistics.Length == 1 ? _runningStatistics[0] : cat(_runningStatistics)).mul(0).sum()));
        else
            foreach (var s in _runningStatistics)
                _probes.Add(reads.AddScalar(s.mul(0).sum()));
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
        bool runningFinite = _probes.TrueForAll(p => double.IsFinite(reads[p]));
        Array.Clear(_gradients);
        return new StepStatistics { Loss = reads[_loss], GradientNorms = norms, RunningStatisticsFinite = runningFinite };
    }
}
