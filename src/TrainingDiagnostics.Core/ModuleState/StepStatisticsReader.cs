using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// Queues the always-on values of a step into the step's <see cref="DeviceReads"/> (the loss, every per-parameter gradient
/// norm, a finiteness probe of the BatchNorm running statistics), and turns them into <see cref="StepStatistics"/> after
/// the transfer.
/// </summary>
/// <remarks>
/// <para>Norms are computed in the parameter's own dtype (libtorch accumulates float32 reductions in double on the CPU). A
/// NaN or Inf gradient shows up as a NaN or Inf norm. An infinite norm of a finite tensor (a float32 overflow of the norm
/// itself) is confirmed with an elementwise check and recomputed in float64 before anything is reported.</para>
/// <para>Each libtorch operation costs a few microseconds of dispatch whatever its size, which is most of the monitor's
/// cost on small models. So the gradients of small parameters that share a shape, a dtype and a device (the biases and
/// BatchNorm scales of one width, the layers of a repeated block) are stacked and normed by two operations per group of
/// three or more, instead of one per parameter; large ones (over <see cref="GroupedNumelLimit"/> elements) are normed alone, since
/// stacking would copy them.</para>
/// <para>The running statistics are probed by the sum of their concatenation (two operations for any number of BatchNorm
/// layers; one sum per tensor when they differ in dtype, device or rank). A non-finite probe is confirmed tensor by
/// tensor, so that a sum overflowing on finite values raises nothing.</para>
/// </remarks>
internal sealed class StepStatisticsReader
{
    /// <summary>The number of tensors from which they are read or copied by one operation over their concatenation (or stack)
    /// instead of one operation each: every libtorch operation costs a few microseconds of dispatch, whatever its size.</summary>
    public const int GroupFrom = 2;

    /// <summary>The largest gradient (in elements) that is stacked with others of its shape for one norm operation.</summary>
    public const long GroupedNumelLimit = 1 << 16;

    private readonly ModuleTree _tree;
    private readonly Tensor[] _runningStatistics;
    private readonly bool _oneProbe;
    private readonly int[][] _shapeGroups; // parameter indices normed together (3 or more, same shape, dtype and device)
    private readonly int[] _alone; // parameter indices normed one by one
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
        _oneProbe = _runningStatistics.Length >= GroupFrom && _runningStatistics.All(t => t.dim() == 1 && t.dtype == _runningStatistics[0].dtype
            && t.device_type == _runningStatistics[0].device_type && t.device_index == _runningStatistics[0].device_index);
        var parameters = tree.Parameters;
        _shapeGroups = Enumerable.Range(0, parameters.Count)
            .Where(i => parameters[i].Tensor.dim() >= 1 && parameters[i].Tensor.numel() <= GroupedNumelLimit)
            .GroupBy(i => (string.Join(",", parameters[i].Tensor.shape), parameters[i].Tensor.dtype, parameters[i].Tensor.device_type, parameters[i].Tensor.device_index))
            .Where(g => g.Count() >= 3) // two operations for the group, and one more to concatenate the groups' norms: fewer only from three
            .Select(g => g.ToArray())
            .ToArray();
        var grouped = _shapeGroups.SelectMany(g => g).ToHashSet();
        _alone = Enumerable.Range(0, parameters.Count).Where(i => !grouped.Contains(i)).ToArray();
        _gradients = new Tensor?[parameters.Count];
        _gradientReads = new DeviceRead?[parameters.Count];
    }

    /// <summary>Queues the loss, the gradient norms and the running-statistics probe (call inside a no_grad dispose scope).</summary>
    public void Queue(Tensor loss, DeviceReads reads)
    {
        _loss = loss.dim() == 0 ? reads.AddScalar(loss.detach()) : reads.Add(loss.detach());
        var parameters = _tree.Parameters;
        for (int i = 0; i < parameters.Count; i++)
            _gradients[i] = parameters[i].Tensor.grad;
        foreach (int i in _alone)
            _gradientReads[i] = _gradients[i] is { } g ? reads.AddScalar(linalg.vector_norm(g)) : null;
        foreach (int[] group in _shapeGroups)
        {
            if (Array.Exists(group, i => _gradients[i] is null))
            {
                foreach (int i in group) // a parameter without gradient this step: its group is normed one by one
                    _gradientReads[i] = _gradients[i] is { } g ? reads.AddScalar(linalg.vector_norm(g)) : null;
                continue;
            }
            var stacked = stack(group.Select(i => _gradients[i]!));
            var norms = linalg.vector_norm(stacked, dims: Enumerable.Range(1, (int)stacked.dim() - 1).Select(d => (long)d).ToArray());
            var first = reads.AddVector(norms, group.Length);
            for (int k = 0; k < group.Length; k++)
                _gradientReads[group[k]] = new DeviceRead(first.Index + k);
        }
        _probes.Clear();
        if (_oneProbe)
            _probes.Add(reads.AddScalar(cat(_runningStatistics).sum()));
        else
            foreach (var s in _runningStatistics)
                _probes.Add(reads.AddScalar(s.sum()));
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
        // A sum that overflowed on finite values is no poisoning: confirmed elementwise (rare).
        bool runningFinite = _probes.TrueForAll(p => double.IsFinite(reads[p])) || Array.TrueForAll(_runningStatistics, TensorStatisticsReader.IsFinite);
        Array.Clear(_gradients);
        return new StepStatistics { Loss = reads[_loss], GradientNorms = norms, RunningStatisticsFinite = runningFinite };
    }
}
