using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// What a replay or a skipped step must put back: the CPU random state and the module buffers (BatchNorm running
/// statistics and batch counters) as they were before the step's forward pass. One instance is refilled at every step.
/// </summary>
/// <remarks>
/// <para>Buffers in CPU memory (contiguous, as module buffers are) are copied byte for byte into host arrays allocated
/// once: a capture then costs no libtorch operation and allocates nothing (on a small BatchNorm model the operations and
/// their allocations were most of the monitor's remaining fixed cost). Restoring, which is rare, copies them back with
/// <c>copy_</c>, as for the other buffers.</para>
/// <para>Buffers on a device are copied by libtorch; those of one kind together: the vectors of one dtype and device (BatchNorm running means and
/// variances) by one concatenation, the scalars of one dtype and device (their batch counters) by one stack, so that a
/// ResNet-50's 159 buffers cost two operations, not 159 (each libtorch operation costs a few microseconds of dispatch,
/// whatever its size). A buffer of any other shape, or alone of its kind, is copied in place into a copy allocated once.
/// Restoring, which is rare, splits the groups.</para>
/// <para>Only the CPU generator is captured: TorchSharp 0.107 exposes no state of the CUDA generators (its native
/// <c>THSGenerator_default_generator</c> returns the CPU generator only, and <c>THSGenerator_new</c> creates CPU
/// generators only). Replays of CUDA models therefore run their dropout layers in eval mode, so that they do not draw
/// from the CUDA generator (see <c>StepReplay</c>).</para>
/// </remarks>
internal sealed class StepSnapshot : IDisposable
{
    private readonly List<(Tensor Live, byte[] Copy)> _onHost = [];
    private readonly List<(Tensor Live, Tensor Copy)> _singles = [];
    private readonly List<BufferGroup> _groups = [];
    private readonly Generator _cpuGenerator = Generator.Default; // one handle to the default CPU generator, kept
    private Tensor? _rngState;

    public StepSnapshot(ModuleTree tree)
    {
        using var noGrad = no_grad();
        var all = tree.Buffers.Select(b => b.Buffer).ToList();
        foreach (var buffer in all.Where(b => b.device_type == DeviceType.CPU && b.is_contiguous()))
            _onHost.Add((buffer, new byte[buffer.numel() * buffer.ElementSize]));
        var buffers = all.Where(b => b.device_type != DeviceType.CPU || !b.is_contiguous()).ToList();
        foreach (var group in buffers.Where(b => b.dim() <= 1).GroupBy(b => (b.dim(), b.dtype, b.device_type, b.device_index)))
        {
            if (group.Count() >= StepStatisticsReader.GroupFrom)
                _groups.Add(new BufferGroup([.. group], Stacked: group.Key.Item1 == 0));
        }
        var grouped = _groups.SelectMany(g => g.Live).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var buffer in buffers.Where(b => !grouped.Contains(b)))
            _singles.Add((buffer, buffer.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Overwrites the copies with the current random state and buffers.</summary>
    public void Capture()
    {
        _rngState?.Dispose();
        // Through a handle held for the snapshot's life: torch.get_rng_state() makes a new generator handle at every call,
        // a finalizable object left to the garbage collector.
        _rngState = _cpuGenerator.get_state().DetachFromDisposeScope();
        for (int i = 0; i < _onHost.Count; i++)
        {
            var (live, copy) = _onHost[i];
            var bytes = live.bytes;
            if (bytes.Length != copy.Length)
                _onHost[i] = (live, copy = new byte[bytes.Length]); // a buffer resized in place since the last capture
            bytes.CopyTo(copy);
        }
        if (_singles.Count == 0 && _groups.Count == 0)
            return;
        using var noGrad = no_grad();
        foreach (var (live, copy) in _singles)
            copy.copy_(live);
        foreach (var group in _groups)
            group.Capture();
    }

    public void RestoreRandomState()
    {
        if (_rngState is not null)
            _cpuGenerator.set_state(_rngState);
    }

    public void RestoreBuffers()
    {
        using var noGrad = no_grad();
        foreach (var (live, copy) in _onHost)
        {
            // Through copy_ (not into the live memory directly): the buffer's version counter moves as with any restore.
            using var saved = empty_like(live);
            saved.bytes = copy;
            live.copy_(saved);
        }
        foreach (var (live, copy) in _singles)
            live.copy_(copy);
        foreach (var group in _groups)
            group.Restore();
    }

    public void Dispose()
    {
        _rngState?.Dispose();
        _rngState = null;
        _cpuGenerator.Dispose(); // the handle only: the default generator lives on
        _onHost.Clear();
        foreach (var (_, copy) in _singles)
            copy.Dispose();
        _singles.Clear();
        foreach (var group in _groups)
            group.Dispose();
        _groups.Clear();
    }

    /// <summary>Buffers of one dtype and device copied by one operation: vectors concatenated, scalars stacked.</summary>
    private sealed record BufferGroup(Tensor[] Live, bool Stacked) : IDisposable
    {
        private readonly long[] _sizes = Live.Select(t => t.numel()).ToArray();
        private Tensor? _copy;

        public void Capture()
        {
            _copy?.Dispose();
            _copy = (Stacked ? stack(Live) : cat(Live)).DetachFromDisposeScope();
        }

        public void Restore()
        {
            if (_copy is null)
                return;
            using var scope = NewDisposeScope();
            var parts = Stacked ? Enumerable.Range(0, Live.Length).Select(i => _copy[i]).ToArray() : _copy.split(_sizes);
            for (int i = 0; i < Live.Length; i++)
                Live[i].copy_(parts[i]);
        }

        public void Dispose()
        {
            _copy?.Dispose();
            _copy = null;
        }
    }
}
