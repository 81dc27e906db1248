using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// Resets the gradients before a step's forward pass, queues the always-on values of the step into its
/// <see cref="DeviceReads"/> (the loss, every per-parameter gradient norm, the finiteness of the BatchNorm running
/// statistics), and turns them into <see cref="StepStatistics"/> after the transfer.
/// </summary>
/// <remarks>
/// <para>Each libtorch operation costs a few microseconds of dispatch whatever its size, which is most of the monitor's
/// cost on small models; so the reader spends as few as it can. The gradients of the small parameters live in one
/// <see cref="GradientBuffer"/> (their <c>.grad</c> are its slices, bit for bit the gradients a <c>.grad</c> of None would
/// receive) that is copied to the host with the loss in the step's one transfer, and their norms are summed there in
/// double precision: no operation per parameter at all. Small running statistics cross with them and are checked on the
/// host. In CPU memory (a CPU model) neither is queued for the transfer: both are read where they lie, after it.</para>
/// <para>The other gradients (large ones, other dtypes or devices, or every gradient when the caller keeps its own
/// gradients with <c>MonitorOptions.ZeroGradients</c> off) are normed on the device in their own dtype (libtorch
/// accumulates float32 reductions in double on the CPU): those of three or more parameters sharing a shape, a dtype and a
/// device by one stack and one norm, the others one norm each. An infinite norm of a finite tensor (a float32 overflow of
/// the norm itself) is confirmed with an elementwise check and recomputed in float64. Running statistics too large for
/// the transfer are probed by the sum of their concatenation, confirmed tensor by tensor when not finite.</para>
/// <para>Norms use <c>Tensor.norm(p)</c>, whose order crosses to libtorch as a plain float: TorchSharp 0.107's
/// <c>linalg.vector_norm</c> converts its order to a temporary <c>Scalar</c> that the garbage collector may free while
/// libtorch still reads it.</para>
/// </remarks>
internal sealed class StepStatisticsReader : IDisposable
{
    /// <summary>The number of tensors from which they are read or copied by one operation over their concatenation (or stack)
    /// instead of one operation each: every libtorch operation costs a few microseconds of dispatch, whatever its size.</summary>
    public const int GroupFrom = 2;

    /// <summary>The largest gradient (in elements) that is stacked with others of its shape for one norm operation, or kept in
    /// the <see cref="GradientBuffer"/>.</summary>
    public const long GroupedNumelLimit = 1 << 16;

    /// <summary>The most running-statistics elements copied to the host at every step (beyond it, a sum probes them).</summary>
    public const long RunningStatisticsOnHost = 1 << 12;

    private readonly ModuleTree _tree;
    private readonly Tensor[] _runningStatistics;
    private readonly bool _statisticsOnHost;
    private readonly bool _oneProbe;
    private readonly GradientBuffer? _buffer;
    private readonly Plan _all; // every parameter normed on the device
    private readonly Plan _rest; // the parameters outside the buffer
    private readonly Tensor?[] _gradients;
    private readonly DeviceRead?[] _gradientReads;
    private readonly List<DeviceRead> _probes = [];
    private readonly int _statisticsLength;
    private readonly bool _statisticsInPlace; // ... in CPU memory: checked there after the transfer, not queued
    private DeviceRead _loss;
    private DeviceRead _flat;
    private DeviceRead _statistics;
    private readonly bool _bufferInPlace; // the buffer is in CPU memory: read there after the transfer, not queued
    private readonly int[] _sumOrder = []; // the buffer's members, longest first: summed four at a time
    private bool _attached; // the buffer holds this step's gradients
    private bool _buffered; // ... and they were queued

    public StepStatisticsReader(ModuleTree tree)
    {
        _tree = tree;
        _runningStatistics = tree.Buffers
            .Where(b => b.Buffer.is_floating_point() && (b.Name.EndsWith("running_mean", StringComparison.Ordinal) || b.Name.EndsWith("running_var", StringComparison.Ordinal)))
            .Select(b => b.Buffer).ToArray();
        long statistics = _runningStatistics.Sum(t => t.numel());
        _statisticsOnHost = _runningStatistics.Length > 0 && statistics <= RunningStatisticsOnHost;
        _statisticsLength = (int)(_statisticsOnHost ? statistics : 0);
        _statisticsInPlace = _statisticsOnHost && _runningStatistics.All(t => t.device_type == DeviceType.CPU && t.is_contiguous() && t.dtype is ScalarType.Float32 or ScalarType.Float64);
        _oneProbe = _runningStatistics.Length >= GroupFrom && _runningStatistics.All(t => t.dim() == 1 && t.dtype == _runningStatistics[0].dtype
            && t.device_type == _runningStatistics[0].device_type && t.device_index == _runningStatistics[0].device_index);
        var parameters = tree.Parameters;
        _buffer = GradientBuffer.For(tree);
        if (_buffer is not null)
        {
            _bufferInPlace = _buffer.Flat.device_type == DeviceType.CPU && _buffer.Flat.dtype is ScalarType.Float32 or ScalarType.Float64;
            _sumOrder = [.. Enumerable.Range(0, _buffer.Members.Length).OrderByDescending(k => _buffer.Lengths[k]).ThenBy(k => k)];
        }
        _all = new Plan(parameters, Enumerable.Range(0, parameters.Count));
        var members = (_buffer?.Members ?? []).ToHashSet();
        _rest = new Plan(parameters, Enumerable.Range(0, parameters.Count).Where(i => !members.Contains(i)));
        _gradients = new Tensor?[parameters.Count];
        _gradientReads = new DeviceRead?[parameters.Count];
    }

    /// <summary>
    /// Resets every parameter's gradient before the forward pass: the small ones to their zeroed slices of the gradient
    /// buffer, the others to None (a backward pass then fills them exactly as if all were None).
    /// </summary>
    public void ResetGradients()
    {
        var parameters = _tree.Parameters;
        foreach (int i in _rest.Parameters)
            parameters[i].Tensor.grad = null;
        if (_buffer is null)
            return;
        _buffer.Attach();
        _attached = true;
    }

    /// <summary>Queues the loss, the gradients or their norms and the running statistics or their probe (call inside a
    /// no_grad dispose scope).</summary>
    public void Queue(Tensor loss, DeviceReads reads)
    {
        // Under no_grad the transfer's concatenation of the loss records no graph: no detached copy needed.
        _loss = loss.dim() == 0 ? reads.AddScalar(loss) : reads.Add(loss);
        _buffered = _attached;
        _attached = false;
        var plan = _all;
        if (_buffered)
        {
            if (!_bufferInPlace)
                _flat = reads.AddVector(_buffer!.Flat, _buffer.Length);
            plan = _rest;
        }
        var parameters = _tree.Parameters;
        foreach (int i in plan.Parameters)
            _gradients[i] = parameters[i].Tensor.grad;
        foreach (int i in plan.Alone)
            _gradientReads[i] = _gradients[i] is { } g ? reads.AddScalar(g.norm(2f)) : null;
        foreach (int[] group in plan.Groups)
            QueueGroup(group, reads);

        _probes.Clear();
        if (_statisticsInPlace)
        {
            // Read in their memory by Take, as the transfer would have read them.
        }
        else if (_statisticsOnHost)
        {
            for (int k = 0; k < _runningStatistics.Length; k++)
            {
                var s = _runningStatistics[k];
                var read = s.dim() == 1 ? reads.AddVector(s, (int)s.numel()) : reads.AddVector(s.reshape(-1), (int)s.numel());
                if (k == 0)
                    _statistics = read;
            }
        }
        else if (_oneProbe)
        {
            _probes.Add(reads.AddScalar(cat(_runningStatistics).sum()));
        }
        else
        {
            foreach (var s in _runningStatistics)
                _probes.Add(reads.AddScalar(s.sum()));
        }
    }

    /// <summary>The statistics, after the transfer. Gradient tensors read by <see cref="Queue"/> are released.</summary>
    public StepStatistics Take(DeviceReads reads)
    {
        var norms = new double?[_gradients.Length];
        if (_buffered)
            TakeBuffered(reads, norms);
        var plan = _buffered ? _rest : _all;
        foreach (int i in plan.Parameters)
        {
            if (_gradientReads[i] is not { } read)
                continue;
            double norm = reads[read];
            if (double.IsPositiveInfinity(norm) && TensorStatisticsReader.IsFinite(_gradients[i]!))
                norm = Float64Norm(_gradients[i]!); // the norm overflowed, not the gradient
            norms[i] = norm;
        }
        bool runningFinite;
        if (_statisticsInPlace)
        {
            runningFinite = true;
            foreach (var statistic in _runningStatistics)
                runningFinite &= statistic.dtype == ScalarType.Float32 ? AllFinite(MemoryMarshal.Cast<byte, float>(statistic.bytes)) : AllFinite(MemoryMarshal.Cast<byte, double>(statistic.bytes));
        }
        else if (_statisticsOnHost)
        {
            runningFinite = true;
            foreach (double v in reads.Values(_statistics, _statisticsLength))
                runningFinite &= double.IsFinite(v);
        }
        else
        {
            // A sum that overflowed on finite values is no poisoning: confirmed elementwise (rare).
            runningFinite = _probes.TrueForAll(p => double.IsFinite(reads[p])) || Array.TrueForAll(_runningStatistics, TensorStatisticsReader.IsFinite);
        }
        Array.Clear(_gradients);
        Array.Clear(_gradientReads);
        _buffered = false;
        return new StepStatistics { Loss = reads[_loss], GradientNorms = norms, RunningStatisticsFinite = runningFinite };
    }

    public void Dispose() => _buffer?.Dispose();

    /// <summary>The norms of the buffer's members, summed on the host in double precision: each member's squares in its
    /// own element order (float32 squares are exact in double), read in CPU memory or from the transfer.</summary>
    private void TakeBuffered(DeviceReads reads, double?[] norms)
    {
        var buffer = _buffer!;
        var sums = new double[buffer.Members.Length];
        bool[] empty;
        if (!_bufferInPlace)
        {
            empty = SumsOfSquares(reads.Values(_flat, buffer.Length), buffer, _sumOrder, sums);
        }
        else if (buffer.Flat.dtype == ScalarType.Float32)
        {
            empty = SumsOfSquares(MemoryMarshal.Cast<byte, float>(buffer.Flat.bytes), buffer, _sumOrder, sums);
        }
        else
        {
            empty = SumsOfSquares(MemoryMarshal.Cast<byte, double>(buffer.Flat.bytes), buffer, _sumOrder, sums);
        }
        for (int k = 0; k < buffer.Members.Length; k++)
        {
            if (buffer.IsFrozen(k))
                continue; // .grad None, no norm: as a backward pass leaves a frozen parameter
            norms[buffer.Members[k]] = empty[k] ? NoGradientArrived(k) : Math.Sqrt(sums[k]);
        }
    }

    /// <summary>
    /// Each member's sum of squares, in double precision and in the member's own element order (so bit for bit the plain
    /// sequential sum), with four members summed side by side, longest first: a sequential sum waits on the latency of
    /// each addition, and independent sums overlap. Returns, per member, whether its slice is all negative zeros (no
    /// gradient arrived).
    /// </summary>
    internal static bool[] SumsOfSquares<T>(ReadOnlySpan<T> values, GradientBuffer buffer, int[] order, double[] sums)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var empty = new bool[sums.Length];
        for (int g = 0; g < order.Length; g += 4)
        {
            int n = Math.Min(4, order.Length - g);
            // Lanes beyond the members read one element of the first lane's member and are never stored.
            int m0 = order[g], m1 = order[g + Math.Min(1, n - 1)], m2 = order[g + Math.Min(2, n - 1)], m3 = order[g + Math.Min(3, n - 1)];
            var a0 = values.Slice(buffer.Offsets[m0], buffer.Lengths[m0]);
            var a1 = values.Slice(buffer.Offsets[m1], n > 1 ? buffer.Lengths[m1] : 0);
            var a2 = values.Slice(buffer.Offsets[m2], n > 2 ? buffer.Lengths[m2] : 0);
            var a3 = values.Slice(buffer.Offsets[m3], n > 3 ? buffer.Lengths[m3] : 0);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i < a3.Length; i++) // lengths fall: a0 >= a1 >= a2 >= a3
            {
                double v0 = double.CreateTruncating(a0[i]), v1 = double.CreateTruncating(a1[i]), v2 = double.CreateTruncating(a2[i]), v3 = double.CreateTruncating(a3[i]);
                s0 += v0 * v0;
                s1 += v1 * v1;
                s2 += v2 * v2;
                s3 += v3 * v3;
            }
            for (; i < a2.Length; i++)
            {
                double v0 = double.CreateTruncating(a0[i]), v1 = double.CreateTruncating(a1[i]), v2 = double.CreateTruncating(a2[i]);
                s0 += v0 * v0;
                s1 += v1 * v1;
                s2 += v2 * v2;
            }
            for (; i < a1.Length; i++)
            {
                double v0 = double.CreateTruncating(a0[i]), v1 = double.CreateTruncating(a1[i]);
                s0 += v0 * v0;
                s1 += v1 * v1;
            }
            for (; i < a0.Length; i++)
            {
                double v0 = double.CreateTruncating(a0[i]);
                s0 += v0 * v0;
            }
            sums[m0] = s0;
            empty[m0] = s0 == 0 && AllNegativeZeros(a0);
            if (n > 1)
            {
                sums[m1] = s1;
                empty[m1] = s1 == 0 && AllNegativeZeros(a1);
            }
            if (n > 2)
            {
                sums[m2] = s2;
                empty[m2] = s2 == 0 && AllNegativeZeros(a2);
            }
            if (n > 3)
            {
                sums[m3] = s3;
                empty[m3] = s3 == 0 && AllNegativeZeros(a3);
            }
        }
        return empty;
    }

    /// <summary>
    /// A member whose slice the backward pass left as the reset filled it: no gradient reached it through the buffer. Its
    /// <c>.grad</c> is read alone (rare): if it too is all negative zeros, the parameter got no gradient (frozen, or unused by
    /// this loss) and its <c>.grad</c> goes back to None, as a backward pass from None would have left it, with no norm;
    /// otherwise the loss closure replaced the <c>.grad</c>, and its norm is that tensor's.
    /// </summary>
    private double? NoGradientArrived(int k)
    {
        var parameter = _tree.Parameters[_buffer!.Members[k]].Tensor;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (!parameter.requires_grad)
        {
            _buffer.Freeze(k); // frozen since the last reset: None from now on, without this check
            parameter.grad = null;
            return null;
        }
        if (parameter.grad is not { } grad)
            return null;
        var values = grad.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        if (AllNegativeZeros<double>(values))
        {
            parameter.grad = null;
            return null;
        }
        double sum = 0;
        foreach (double v in values)
            sum += v * v;
        return Math.Sqrt(sum);
    }

    private static bool AllFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (T v in values)
            if (!T.IsFinite(v))
                return false;
        return true;
    }

    private static bool AllNegativeZeros<T>(ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (T v in values)
            if (v != T.Zero || !T.IsNegative(v))
                return false;
        return true;
    }

    private static double Float64Norm(Tensor gradient)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return gradient.to(ScalarType.Float64).norm(2f).ToDouble();
    }

    /// <summary>Three or more gradients of one shape, dtype and device: one stack of those present this step, one norm.</summary>
    private void QueueGroup(int[] group, DeviceReads reads)
    {
        int present = 0;
        foreach (int i in group)
            if (_gradients[i] is not null)
                present++;
        if (present == 0)
            return;
        var members = new Tensor[present];
        int m = 0;
        foreach (int i in group)
            if (_gradients[i] is { } g)
                members[m++] = g;
        var stacked = stack(members);
        var norms = (stacked.dim() > 2 ? stacked.reshape(present, -1) : stacked).norm(1, false, 2f);
        var first = reads.AddVector(norms, present);
        m = 0;
        foreach (int i in group)
            if (_gradients[i] is not null)
                _gradientReads[i] = new DeviceRead(first.Index + m++);
    }

    /// <summary>Which parameters are normed by a stack per shape group, and which one by one.</summary>
    private sealed class Plan
    {
        public Plan(IReadOnlyList<ModuleTree.NamedParameter> parameters, IEnumerable<int> indices)
        {
            Parameters = indices.ToArray();
            Groups = Parameters
                .Where(i => parameters[i].Tensor.dim() >= 1 && parameters[i].Tensor.numel() <= GroupedNumelLimit)
                .GroupBy(i => (string.Join(",", parameters[i].Tensor.shape), parameters[i].Tensor.dtype, parameters[i].Tensor.device_type, parameters[i].Tensor.device_index))
                .Where(g => g.Count() >= 3) // two operations for the group: fewer than one per gradient only from three
                .Select(g => g.ToArray())
                .ToArray();
            var grouped = Groups.SelectMany(g => g).ToHashSet();
            Alone = Parameters.Where(i => !grouped.Contains(i)).ToArray();
        }

        public int[] Parameters { get; }

        public int[][] Groups { get; }

        public int[] Alone { get; }
    }
}
