using TorchSharp;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Per-parameter gradient and weight L2 norms of a module, read from the device in one transfer.
/// </summary>
public static class ParameterNorms
{
    /// <summary>
    /// Computes, for every named parameter of <paramref name="module"/> (in <c>named_parameters()</c>
    /// order), the L2 norm of its gradient and of its values.
    /// </summary>
    /// <remarks>
    /// <para>Cost: one reduction per parameter and gradient on their device, accumulated in float64 (so a
    /// finite float32 gradient cannot overflow to infinity in its norm), then one device-to-host copy of
    /// all norms per device (one for a model on a single device); no <c>.item()</c> per tensor.</para>
    /// <para>Training is not changed: runs under <c>no_grad</c>, reads <c>.grad</c> without writing it,
    /// never touches <c>requires_grad</c>, and disposes every temporary tensor before returning.</para>
    /// <para>A parameter without a gradient (frozen, or before the first backward) gets a
    /// <see langword="null"/> <see cref="LayerStatistics.GradientNorm"/>. A NaN or infinity anywhere in a
    /// tensor gives a NaN or infinite norm.</para>
    /// </remarks>
    /// <param name="module">The module whose parameters are measured.</param>
    /// <returns>One <see cref="LayerStatistics"/> per named parameter.</returns>
    public static IReadOnlyList<LayerStatistics> Compute(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();

        var parameters = module.named_parameters().ToList();
        if (parameters.Count == 0)
        {
            return [];
        }

        // Slot 2i holds the weight norm of parameter i, slot 2i+1 its gradient norm (NaN placeholder when
        // absent). Norms are grouped by device so each device costs one stack and one copy.
        var hasGradient = new bool[parameters.Count];
        var byDevice = new Dictionary<string, (Device Device, List<Tensor> Norms, List<int> Slots)>(StringComparer.Ordinal);
        for (int i = 0; i < parameters.Count; i++)
        {
            Tensor weight = parameters[i].parameter;
            string key = weight.device.ToString();
            if (!byDevice.TryGetValue(key, out var group))
            {
                group = (weight.device, new List<Tensor>(), new List<int>());
                byDevice.Add(key, group);
            }

            group.Norms.Add(L2NormFloat64(weight));
            group.Slots.Add(2 * i);

            Tensor? gradient = weight.grad;
            if (gradient is not null && !gradient.IsInvalid)
            {
                hasGradient[i] = true;
                group.Norms.Add(L2NormFloat64(gradient).to(weight.device));
                group.Slots.Add((2 * i) + 1);
            }
        }

        var values = new double[2 * parameters.Count];
        foreach (var (_, norms, slots) in byDevice.Values)
        {
            double[] host = stack(norms).cpu().data<double>().ToArray();
            for (int k = 0; k < slots.Count; k++)
            {
                values[slots[k]] = host[k];
            }
        }

        var result = new LayerStatistics[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            result[i] = new LayerStatistics
            {
                Name = parameters[i].name,
                WeightNorm = values[2 * i],
                GradientNorm = hasGradient[i] ? values[(2 * i) + 1] : null,
            };
        }

        return result;
    }

    // The float64 copy is released at once, so peak extra memory is one parameter, not the whole model.
    private static Tensor L2NormFloat64(Tensor tensor)
    {
        using Tensor detached = tensor.detach();
        using Tensor wide = detached.to_type(ScalarType.Float64);
        return linalg.vector_norm(wide);
    }
}
