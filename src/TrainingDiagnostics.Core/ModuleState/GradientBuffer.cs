using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// One flat tensor whose slices are the <c>.grad</c> of a model's small parameters, so that the gradients of a step are
/// read by one copy instead of one norm operation per parameter (each libtorch operation costs a few microseconds of
/// dispatch whatever its size, which is most of the monitor's cost on small models).
/// </summary>
/// <remarks>
/// <para>Before the forward pass, <see cref="Attach"/> fills the buffer with negative zeros (in CPU memory directly when
/// the buffer is there: the backward pass accumulates into an existing <c>.grad</c> without looking at its version) and makes each member's
/// <c>.grad</c> its slice (a view). libtorch's backward pass then accumulates into an existing <c>.grad</c> in place
/// (<c>grad += new</c>, outside create_graph), and since <c>-0.0</c> is the exact additive identity of IEEE arithmetic
/// (<c>x + -0.0 == x</c> for every x, <c>+0.0</c> included), the gradients are bit for bit those that a <c>.grad</c> of
/// None would have received; a positive zero would turn a <c>-0.0</c> gradient element into <c>+0.0</c>.</para>
/// <para>A slice that is still all negative zeros after the backward pass received no gradient (an unused or frozen
/// parameter, or a <c>.grad</c> the loss closure replaced); <see cref="StepStatisticsReader"/> then checks that parameter
/// alone and gives it back the <c>.grad</c> of None it would have had, so that optimizers skip it as before. A frozen
/// member is remembered: until it requires grad again its <c>.grad</c> is set to None instead of its slice. The one case
/// this cannot tell apart is a gradient made only of negative zeros (a sum or a matrix product gives positive zeros, so in
/// practice only an elementwise use scaled by a negative zero): it is treated as no gradient.</para>
/// <para>Like an in-place <c>zero_grad</c>, this reuses the <c>.grad</c> tensors from step to step: a caller who keeps a
/// gradient across steps must clone it.</para>
/// <para>Members: floating-point parameters of the model's most common dtype and device, of at most
/// <see cref="StepStatisticsReader.GroupedNumelLimit"/> elements each, in model order while the buffer holds at most
/// <see cref="Capacity"/> elements, except those of embedding layers (whose gradients may be sparse). At least two, or
/// no buffer.</para>
/// </remarks>
internal sealed class GradientBuffer : IDisposable
{
    /// <summary>The most elements the buffer holds: it is copied to the host at every step.</summary>
    public const long Capacity = 1 << 14;

    private readonly Tensor _flat;
    private readonly Tensor[] _views;
    private readonly Tensor[] _parameters;
    private readonly Scalar _negativeZero; // kept alive: TorchSharp passes a Scalar to libtorch by its handle
    private readonly bool[] _frozen;
    private readonly ScalarType? _inPlace; // float32 or float64 in CPU memory: filled there, without a libtorch operation

    private GradientBuffer(IReadOnlyList<ModuleTree.NamedParameter> parameters, int[] members)
    {
        Members = members;
        Offsets = new int[members.Length];
        Lengths = new int[members.Length];
        int total = 0;
        for (int k = 0; k < members.Length; k++)
        {
            Offsets[k] = total;
            Lengths[k] = (int)parameters[members[k]].Tensor.numel();
            total += Lengths[k];
        }
        Length = total;
        var first = parameters[members[0]].Tensor;
        _negativeZero = (-0.0).ToScalar();
        _parameters = members.Select(i => parameters[i].Tensor).ToArray();
        _frozen = _parameters.Select(p => !p.requires_grad).ToArray(); // a model fine-tuned with frozen layers: checked cheaply
        using (var scope = NewDisposeScope())
        {
            _flat = zeros(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
            _inPlace = _flat.device_type == DeviceType.CPU && _flat.dtype is ScalarType.Float32 or ScalarType.Float64 ? _flat.dtype : null;
            _views = new Tensor[members.Length];
            for (int k = 0; k < members.Length; k++)
                _views[k] = _flat.narrow(0, Offsets[k], Lengths[k]).view(_parameters[k].shape).DetachFromDisposeScope();
        }
    }

    /// <summary>The indices (into <see cref="ModuleTree.Parameters"/>) of the parameters whose gradients live in the buffer.</summary>
    public int[] Members { get; }

    /// <summary>Where each member's gradient starts in the buffer.</summary>
    public int[] Offsets { get; }

    /// <summary>Each member's number of elements.</summary>
    public int[] Lengths { get; }

    /// <summary>The buffer's number of elements.</summary>
    public int Length { get; }

    /// <summary>The buffer (its values are the members' gradients after the backward pass).</summary>
    public Tensor Flat => _flat;

    /// <summary>The buffer for the model's small parameters, or null when fewer than two qualify.</summary>
    public static GradientBuffer? For(ModuleTree tree)
    {
        var parameters = tree.Parameters;
        var eligible = Enumerable.Range(0, parameters.Count)
            .Where(i => parameters[i].Tensor.is_floating_point() && parameters[i].Tensor.numel() is > 0 and <= StepStatisticsReader.GroupedNumelLimit
                && !tree.TypeNameAt(parameters[i].OwnerPath).StartsWith("Embedding", StringComparison.Ordinal))
            .ToList();
        var kind = eligible.GroupBy(i => (parameters[i].Tensor.dtype, parameters[i].Tensor.device_type, parameters[i].Tensor.device_index))
            .OrderByDescending(g => g.Count()).FirstOrDefault();
        if (kind is null)
            return null;
        var members = new List<int>();
        long total = 0;
        foreach (int i in kind)
        {
            long n = parameters[i].Tensor.numel();
            if (total + n > Capacity)
                continue;
            members.Add(i);
            total += n;
        }
        return members.Count >= 2 ? new GradientBuffer(parameters, [.. members]) : null;
    }

    /// <summary>
    /// Fills the buffer with negative zeros and makes each member's <c>.grad</c> its slice (call before the forward pass);
    /// a frozen member's <c>.grad</c> is set to None instead, until it requires grad again.
    /// </summary>
    public void Attach()
    {
        if (_inPlace == ScalarType.Float32)
        {
            MemoryMarshal.Cast<byte, float>(_flat.bytes).Fill(-0.0f); // in CPU memory: no libtorch operation
        }
        else if (_inPlace == ScalarType.Float64)
        {
            MemoryMarshal.Cast<byte, double>(_flat.bytes).Fill(-0.0);
        }
        else
        {
            using (no_grad())
                _flat.fill_(_negativeZero);
        }
        for (int k = 0; k < _views.Length; k++)
        {
            if (_frozen[k])
                _frozen[k] = !_parameters[k].requires_grad; // unfrozen since: back into the buffer
            _parameters[k].grad = _frozen[k] ? null : _views[k];
        }
    }

    /// <summary>Whether member <paramref name="k"/> was frozen (no <c>requires_grad</c>) at the last <see cref="Attach"/>: its
    /// <c>.grad</c> is None and its slice holds nothing.</summary>
    public bool IsFrozen(int k) => _frozen[k];

    /// <summary>Marks member <paramref name="k"/> frozen (found so after a step): from the next <see cref="Attach"/> on, its
    /// <c>.grad</c> is None and only its <c>requires_grad</c> is checked, until it is unfrozen.</summary>
    public void Freeze(int k) => _frozen[k] = true;

    public void Dispose()
    {
        foreach (var view in _views)
            view.Dispose();
        _flat.Dispose();
        _negativeZero.Dispose();
    }
}
