using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// The values a monitored step reads from the device, gathered so that they cross to the host in ONE transfer: the loss,
/// every per-parameter gradient norm, and whatever the due instruments queue. Queue a one-element tensor with
/// <see cref="Add"/> before the transfer; read its value with the indexer after it.
/// </summary>
/// <remarks>
/// On the CPU, contiguous float32 or float64 values are read straight from their memory, with no libtorch operation (the
/// usual step: each operation costs a few microseconds of dispatch). Elsewhere values are concatenated per dtype and
/// copied to the host together: one <c>hstack</c> (which takes 0-dim values and vectors alike) and one copy when they share
/// a dtype and a device, otherwise one flat vector per dtype, one cast to float64 each and one concatenation. A host read per value
/// (<c>.item()</c>) would cost a device synchronization and a native call each.
/// </remarks>
public sealed class DeviceReads
{
    private readonly List<Tensor> _pending = []; // 0-dim tensors (one value) and, from the monitor, vectors (one value per element)
    private int _count;
    private double[] _values = [];
    private bool _transferred;

    /// <summary>The number of values queued.</summary>
    public int Count => _count;

    /// <summary>Queues a one-element tensor (a norm, a sum) to be read with the step's transfer.</summary>
    /// <param name="value">A tensor of one element on the model's device; it must live until the transfer (the step's dispose scope).</param>
    /// <returns>The handle that reads the value after the transfer.</returns>
    /// <exception cref="ArgumentException">The tensor does not hold exactly one element.</exception>
    /// <exception cref="InvalidOperationException">The transfer already happened for this step.</exception>
    public DeviceRead Add(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_transferred)
            throw new InvalidOperationException("The step's values were already read from the device; queue values before the transfer (in Instrument.Queue).");
        if (value.numel() != 1)
            throw new ArgumentException($"DeviceReads holds one value per entry, but the tensor has shape [{string.Join(", ", value.shape)}]; reduce it first (for example with .sum() or linalg.vector_norm).", nameof(value));
        return AddScalar(value.dim() == 0 ? value : value.reshape([]));
    }

    /// <summary>Queues a 0-dim tensor without checking it (the monitor's own reads: norms and sums are 0-dim by construction).</summary>
    internal DeviceRead AddScalar(Tensor scalar) => Queue(scalar, 1);

    /// <summary>Queues the <paramref name="length"/> values of a vector (the norms of a group of gradients, computed by one
    /// operation); value k is read with <c>new DeviceRead(first.Index + k)</c>.</summary>
    internal DeviceRead AddVector(Tensor vector, int length) => Queue(vector, length);

    private DeviceRead Queue(Tensor tensor, int length)
    {
        if (_transferred)
            throw new InvalidOperationException("The step's values were already read from the device; queue values before the transfer (in Instrument.Queue).");
        _pending.Add(tensor);
        _count += length;
        return new DeviceRead(_count - length);
    }

    /// <summary>The value of a queued entry, after the transfer.</summary>
    /// <param name="read">The handle <see cref="Add"/> returned.</param>
    /// <exception cref="InvalidOperationException">The transfer has not happened yet.</exception>
    public double this[DeviceRead read] => _transferred
        ? _values[read.Index]
        : throw new InvalidOperationException("The step's values have not been read from the device yet; read them in Instrument.Compute.");

    /// <summary>The values of a queued vector (or of consecutive entries), after the transfer.</summary>
    internal ReadOnlySpan<double> Values(DeviceRead first, int length) => _transferred
        ? _values.AsSpan(first.Index, length)
        : throw new InvalidOperationException("The step's values have not been read from the device yet; read them in Instrument.Compute.");

    /// <summary>Copies every queued value to the host in one transfer.</summary>
    internal void Transfer()
    {
        if (_pending.Count == 0)
        {
            _values = [];
            _transferred = true;
            return;
        }
        var (type, deviceType, deviceIndex) = (_pending[0].dtype, _pending[0].device_type, _pending[0].device_index);
        bool uniform = _pending.TrueForAll(t => t.dtype == type && t.device_type == deviceType && t.device_index == deviceIndex);
        if (uniform && deviceType == DeviceType.CPU && (type is ScalarType.Float32 or ScalarType.Float64) && _pending.TrueForAll(t => t.is_contiguous()))
        {
            // On the CPU the values already are in host memory: read in place, with no libtorch operation at all.
            ReadInPlace(type == ScalarType.Float32);
            return;
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (uniform)
        {
            // The usual step: one dtype on one device. One concatenation, one copy, and the values read in their own type.
            var onHost = ToHost(Flatten(_pending));
            if (_values.Length != _count)
                _values = new double[_count];
            switch (type)
            {
                case ScalarType.Float32:
                    var floats = onHost.data<float>().ToArray();
                    for (int i = 0; i < floats.Length; i++)
                        _values[i] = floats[i];
                    break;
                case ScalarType.Float64:
                    onHost.data<double>().ToArray().CopyTo(_values, 0);
                    break;
                default:
                    onHost.to(ScalarType.Float64).data<double>().ToArray().CopyTo(_values, 0);
                    break;
            }
            _transferred = true;
            return;
        }

        // Several dtypes (or devices): one flat vector per dtype, cast to float64, concatenated on the first one's device.
        var device = _pending[0].device;
        var first = new int[_pending.Count];
        for (int i = 1; i < first.Length; i++)
            first[i] = first[i - 1] + (int)_pending[i - 1].numel();
        var order = new List<int>(_count);
        var parts = new List<Tensor>();
        foreach (var group in Enumerable.Range(0, _pending.Count).GroupBy(i => _pending[i].dtype))
        {
            var members = group.Select(i => _pending[i].device_type == deviceType && _pending[i].device_index == deviceIndex ? _pending[i] : _pending[i].to(device)).ToList();
            var flat = Flatten(members);
            parts.Add(group.Key == ScalarType.Float64 ? flat : flat.to(ScalarType.Float64));
            foreach (int i in group)
                for (int k = 0; k < _pending[i].numel(); k++)
                    order.Add(first[i] + k);
        }
        var values = ToHost(parts.Count == 1 ? parts[0] : cat(parts)).data<double>().ToArray();
        _values = new double[_count];
        for (int k = 0; k < order.Count; k++)
            _values[order[k]] = values[k];
        _transferred = true;
    }

    /// <summary>Forgets the step's values and queued tensors, ready for the next step.</summary>
    internal void Clear()
    {
        _pending.Clear();
        _count = 0;
        _transferred = false;
    }

    /// <summary>Copies the queued values of contiguous CPU tensors straight from their memory (<c>Tensor.bytes</c>).</summary>
    private void ReadInPlace(bool single)
    {
        if (_values.Length != _count)
            _values = new double[_count];
        int offset = 0;
        foreach (var entry in _pending)
        {
            var bytes = entry.bytes;
            if (single)
            {
                var floats = MemoryMarshal.Cast<byte, float>(bytes);
                for (int i = 0; i < floats.Length; i++)
                    _values[offset + i] = floats[i];
                offset += floats.Length;
            }
            else
            {
                var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                doubles.CopyTo(_values.AsSpan(offset));
                offset += doubles.Length;
            }
        }
        _transferred = true;
    }

    private static Tensor ToHost(Tensor tensor) => tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();

    /// <summary>One vector of the entries' values, in order: 0-dim values and vectors concatenated by one <c>hstack</c>.</summary>
    private static Tensor Flatten(List<Tensor> entries)
    {
        if (entries.TrueForAll(t => t.dim() <= 1))
            return hstack(entries);
        return cat(entries.ConvertAll(t => t.reshape(-1))); // not queued by the monitor's own readers: any shape, flattened
    }
}
