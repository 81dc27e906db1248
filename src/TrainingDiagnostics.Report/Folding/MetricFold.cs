using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the user's metrics. They are sparse (one value per evaluation), so every value is kept (16 bytes each) and
/// the charts downsample them like the loss.
/// </summary>
internal sealed class MetricFold : IRunFold
{
    private readonly List<MetricRecord> _metrics = [];

    public void Metric(MetricRecord metric) => _metrics.Add(metric);

    public IReadOnlyList<MetricHistory> Finish() => MetricHistory.FromRecords(_metrics);
}
