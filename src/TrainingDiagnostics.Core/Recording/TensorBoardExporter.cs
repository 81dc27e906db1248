using TorchSharp;
using TrainingDiagnostics.ModuleState;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Writes the monitor's records as TensorBoard event files through TorchSharp's SummaryWriter: loss, total gradient norm and
/// per-parameter gradient norms, weight norms and update ratios as scalars every step, weight and gradient histograms on a
/// schedule, and each anomaly as text. (SummaryWriter opens, appends to and flushes its event file for every value: a
/// per-step cost of about a file write per scalar, which is why this exporter is optional.)
/// </summary>
internal sealed class TensorBoardExporter
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;

    public string Directory => _writer.LogDir;

    public TensorBoardExporter(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        _writer = utils.tensorboard.SummaryWriter(directory);
    }

    public void Write(StepRecord record)
    {
        int step = checked((int)record.Step);
        _writer.add_scalar("loss", (float)record.Loss, step);
        if (record.GradientNorm is { } total)
            _writer.add_scalar("grad_norm/total", (float)total, step);
        foreach (var layer in record.Layers)
        {
            if (layer.GradientNorm is { } g)
                _writer.add_scalar($"grad_norm/{layer.Name}", (float)g, step);
            if (layer.WeightNorm is { } w)
                _writer.add_scalar($"weight_norm/{layer.Name}", (float)w, step);
            if (layer.UpdateRatio is { } u)
                _writer.add_scalar($"update_ratio/{layer.Name}", (float)u, step);
        }
    }

    public void WriteHistograms(ModuleTree tree, long step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in tree.Parameters)
        {
            var values = p.Tensor.detach();
            if (TensorStatisticsReader.IsFinite(values))
                _writer.add_histogram($"weights/{p.Name}", values.cpu(), checked((int)step));
            if (p.Tensor.grad is { } g && TensorStatisticsReader.IsFinite(g))
                _writer.add_histogram($"gradients/{p.Name}", g.detach().cpu(), checked((int)step));
        }
    }

    public void Write(MetricRecord metric) => _writer.add_scalar(metric.Name, (float)metric.Value, checked((int)metric.Step));

    public void Write(AnomalyEvent anomaly) =>
        _writer.add_text("anomalies", $"{anomaly.Kind} ({anomaly.Phase}) at {anomaly.ModulePath ?? "-"}: {anomaly.Message} {anomaly.Suggestion}", checked((int)anomaly.Step));
}
