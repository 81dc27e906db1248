using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the activation instruments' readings (metrics named by <see cref="InstrumentMetricNames"/>) into one
/// <see cref="ActivationSummary"/> per module and measure. Memory: a ring of <see cref="RecentReadings"/> values and a few
/// numbers per module, whatever the run's length (the readings themselves are not kept).
/// </summary>
internal sealed class ActivationFold : IRunFold
{
    /// <summary>How many of the latest readings "recent" means: at the default schedules (every 20 to 50 steps) the last few hundred steps.</summary>
    public const int RecentReadings = 16;

    private readonly Dictionary<(ActivationMeasure, string), Accumulator> _modules = [];
    private readonly List<Accumulator> _order = [];

    public void Metric(MetricRecord metric)
    {
        if (!InstrumentMetric.TryParse(metric.Name, out ActivationMeasure measure, out string path) || !double.IsFinite(metric.Value))
        {
            return;
        }

        if (!_modules.TryGetValue((measure, path), out Accumulator? module))
        {
            module = new Accumulator(path, measure, metric.Step, metric.Value);
            _modules.Add((measure, path), module);
            _order.Add(module);
        }

        module.Add(metric.Step, metric.Value);
    }

    public ActivationsView Finish() =>
        _order.Count == 0 ? ActivationsView.Empty : new ActivationsView { Modules = _order.Select(m => m.Summary()).ToList() };

    private sealed class Accumulator(string path, ActivationMeasure measure, long firstStep, double firstValue)
    {
        private readonly double[] _recent = new double[RecentReadings];
        private int _count;
        private long _lastStep;
        private double _lastValue;
        private long? _onset;

        public void Add(long step, double value)
        {
            _recent[_count % RecentReadings] = value;
            _count++;
            (_lastStep, _lastValue) = (step, value);

            // Hysteresis: a reading under half the threshold ends a stretch; noise around the threshold does not restart it.
            if (value < ActivationSummary.MostUnits / 2)
            {
                _onset = null;
            }
            else if (value > ActivationSummary.MostUnits && _onset is null)
            {
                _onset = step;
            }
        }

        public ActivationSummary Summary()
        {
            int n = Math.Min(_count, RecentReadings);
            double[] recent = _recent[..n];
            return new ActivationSummary(path, measure, _count, firstStep, firstValue, _lastStep, _lastValue,
                Median.Of(recent) ?? double.NaN, n, recent.Min(), _onset);
        }
    }
}
