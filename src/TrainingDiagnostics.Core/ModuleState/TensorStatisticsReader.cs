using TorchSharp;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>Summarizes a tensor for an incident report with one device-to-host transfer.</summary>
internal static class TensorStatisticsReader
{
    public static TensorStatistics Read(Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var t = tensor.detach();
        if (!t.is_floating_point())
            t = t.to(ScalarType.Float64);
        var flat = t.reshape(-1).to(ScalarType.Float64);
        long count = flat.numel();
        if (count == 0)
            return new TensorStatistics { Name = name, Shape = tensor.shape, DType = tensor.dtype.ToString() };

        var finite = flat.isfinite();
        var finiteValues = flat.masked_select(finite);
        long finiteCount = finiteValues.numel();
        var parts = new List<Tensor>
        {
            flat.isnan().sum().to(ScalarType.Float64),
            flat.isinf().sum().to(ScalarType.Float64),
        };
        if (finiteCount > 0)
        {
            parts.Add(finiteValues.min());
            parts.Add(finiteValues.max());
            parts.Add(finiteValues.abs().mean());
        }
        var values = stack(parts).cpu().data<double>().ToArray();
        return new TensorStatistics
        {
            Name = name,
            Shape = tensor.shape,
            DType = tensor.dtype.ToString(),
            NaNCount = (long)values[0],
            InfCount = (long)values[1],
            Min = finiteCount > 0 ? values[2] : null,
            Max = finiteCount > 0 ? values[3] : null,
            MeanAbsolute = finiteCount > 0 ? values[4] : null,
        };
    }

    /// <summary>True when every element is finite (one transfer).</summary>
    public static bool IsFinite(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return !tensor.is_floating_point() || tensor.detach().isfinite().all().item<bool>();
    }
}
