using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the user's metrics (not the monitor's activation readings, see <see cref="ActivationFold"/>). They are sparse (one value per evaluation), so every value is kept, as a step and a value
/// per name (16 bytes each, the name stored once), and the charts downsample them like the loss.
/// </summary>
internal sealed class MetricFold : IRunFold
{
    private readonly Dictionary<string, (List<long> Steps, List<double> Values)> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Metric(MetricRecord metric)
    {
        if (InstrumentMetric.IsInstrument(metric.Name))
        {
            return; // the monitor's activation readings: the activations fold keeps them
        }

        if (!_byName.TryGetValue(metric.Name, out var columns))
        {
            _byName[metric.Name] = columns = ([], []);
            _order.Add(metric.Name);
        }

        columns.Steps.Add(metric.Step);
        columns.Values.Add(metric.Value);
    }

    /// <summary>One history per name, in order of first record; values in step order, ties in recording order.</summary>
    public IReadOnlyList<MetricHistory> Finish() =>
        _order.Select(name => MetricHistory.InStepOrder(name, _byName[name].Steps, _byName[name].Values)).ToList();
}
