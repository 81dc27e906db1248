using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// The values a monitored step reads from the device, gathered so that they cross to the host in ONE transfer: the loss,
/// every per-parameter gradient norm, and whatever the due instruments queue. Queue a one-element tensor with
/// <see cref="Add"/> before the transfer; read its value with the indexer after it.
/// </summary>
/// <remarks>
/// Values are stacked per dtype and copied to the host together: one stack and one copy when they share a dtype and a
/// device (the usual step), otherwise one stack per dtype, one cast to float64 and one concatenation. A host read per value
/// (<c>.item()</c>) would cost a device synchronization and a native call each.
/// </remarks>
public sealed class DeviceReads
{
    private readonly List<Tensor> _pending = [];
    private double[] _values = [];
    private bool _transferred;

    /// <summary>The number of values queued.</summary>
    public int Count => _pending.Count;

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
    internal DeviceRead AddScalar(Tensor scalar)
    {
        if (_transferred)
            throw new InvalidOperationException("The step's values were already read from the device; queue values before the transfer (in Instrument.Queue).");
        _pending.Add(scalar);
        return new DeviceRead(_pending.Count - 1);
    }

    /// <summary>The value of a queued entry, after the transfer.</summary>
    /// <param name="read">The handle <see cref="Add"/> returned.</param>
    /// <exception cref="InvalidOperationException">The transfer has not happened yet.</exception>
    public double this[DeviceRead read] => _transferred
        ? _values[read.Index]
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
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = _pending[0].device;
        var (type, deviceType, deviceIndex) = (_pending[0].dtype, _pending[0].device_type, _pending[0].device_index);
        if (_pending.TrueForAll(t => t.dtype == type && t.device_type == deviceType && t.device_index == deviceIndex))
        {
            // The usual step: one dtype on one device. One stack, and the values read in their own type.
            var stacked = stack(_pending);
            var onHost = stacked.device_type == DeviceType.CPU ? stacked : stacked.cpu();
            _values = type switch
            {
                ScalarType.Float32 => Array.ConvertAll(onHost.data<float>().ToArray(), v => (double)v),
                ScalarType.Float64 => onHost.data<double>().ToArray(),
                _ => onHost.to(ScalarType.Float64).data<double>().ToArray(),
            };
            _transferred = true;
            return;
        }
        var groups = new Dictionary<ScalarType, List<int>>();
        for (int i = 0; i < _pending.Count; i++)
        {
            var t = _pending[i].dtype;
            if (!groups.TryGetValue(t, out var members))
                groups[t] = members = [];
            members.Add(i);
        }
        var order = new List<int>(_pending.Count);
        var stacks = new List<Tensor>(groups.Count);
        foreach (var (t, members) in groups)
        {
            var stacked = stack(members.Select(i => _pending[i].device_type == deviceType && _pending[i].device_index == deviceIndex ? _pending[i] : _pending[i].to(device)).ToArray());
            stacks.Add(t == ScalarType.Float64 ? stacked : stacked.to(ScalarType.Float64));
            order.AddRange(members);
        }
        var all = stacks.Count == 1 ? stacks[0] : cat(stacks);
        var host = all.device_type == DeviceType.CPU ? all : all.cpu();
        var flat = host.data<double>().ToArray();
        _values = new double[flat.Length];
        for (int k = 0; k < order.Count; k++)
            _values[order[k]] = flat[k];
        _transferred = true;
    }

    /// <summary>Forgets the step's values and queued tensors, ready for the next step.</summary>
    internal void Clear()
    {
        _pending.Clear();
        _transferred = false;
    }
}
