using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Turns the checkpoints of one observed fit into <see cref="IterationSeries"/> and publishes each on the meter
/// (<see cref="TrainerMetrics"/>) as it arrives. Only per-iteration checkpoints count: those of a calculation whose
/// header has metrics and an <c>iterations</c> unit (data preparation, dictionary building and the like report rows or
/// examples, and are left out). Memory is bounded: at most <see cref="MaxSeries"/> series of at most
/// <see cref="MaxPoints"/> points (+1, the last), thinned evenly over the fit.
/// </summary>
internal sealed class TrainerSeriesRecorder(string stage)
{
    /// <summary>The most points a series keeps: when full, every other point is dropped and from then on every other new one.</summary>
    public const int MaxPoints = 1000;

    /// <summary>The most series one fit keeps (one-versus-all runs one optimizer per class, each with its own series).</summary>
    public const int MaxSeries = 64;

    private const string IterationsUnit = "iterations";
    private const string IterationMetric = "Iteration";

    private readonly Dictionary<int, string> _trainers = []; // calculation index -> prefix, numbered within the fit
    private readonly Dictionary<string, Points> _series = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Takes one checkpoint (called on the polling thread, one at a time).</summary>
    public void Add(TrainerCheckpoint checkpoint)
    {
        int unit = IndexOf(checkpoint.UnitNames, IterationsUnit);
        if (checkpoint.MetricNames.Count == 0 || unit < 0)
        {
            return;
        }

        // The iteration is the progress counter; LightGBM leaves that empty and reports it as a metric named Iteration.
        int iterationMetric = IndexOf(checkpoint.MetricNames, IterationMetric);
        double? at = unit < checkpoint.Progress.Count ? checkpoint.Progress[unit] : null;
        at ??= iterationMetric >= 0 && iterationMetric < checkpoint.Metrics.Count ? checkpoint.Metrics[iterationMetric] : null;
        if (at is null)
        {
            return;
        }

        string trainer = Trainer(checkpoint);
        long iteration = (long)at.Value;
        var published = new List<(string, double)>(checkpoint.MetricNames.Count);
        for (int i = 0; i < checkpoint.MetricNames.Count && i < checkpoint.Metrics.Count; i++)
        {
            if (checkpoint.Metrics[i] is not double value || i == iterationMetric)
            {
                continue;
            }

            string name = $"{trainer}/{TrainerSeriesNames.Slug(checkpoint.MetricNames[i])}";
            if (!_series.TryGetValue(name, out Points? points))
            {
                if (_series.Count >= MaxSeries)
                {
                    continue;
                }

                _series[name] = points = new Points();
                _order.Add(name);
            }

            points.Add(iteration, value);
            published.Add((name, value));
        }

        TrainerMetrics.Publish(stage, trainer, iteration, published);
    }

    /// <summary>The series, in the order first reported.</summary>
    public IReadOnlyList<IterationSeries> Build() => _order.Select(name => _series[name].ToSeries(name)).ToArray();

    private string Trainer(TrainerCheckpoint checkpoint)
    {
        if (_trainers.TryGetValue(checkpoint.Calculation, out string? trainer))
        {
            return trainer;
        }

        string prefix = TrainerSeriesNames.Prefix(checkpoint.Name, checkpoint.MetricNames);
        int seen = _trainers.Values.Count(t => t == prefix || t.StartsWith(prefix + "#", StringComparison.Ordinal));
        trainer = seen == 0 ? prefix : $"{prefix}#{seen + 1}";
        _trainers[checkpoint.Calculation] = trainer;
        return trainer;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A series' points, thinned by doubling strides so that they stay spread over the whole fit.</summary>
    private sealed class Points
    {
        private readonly List<long> _iterations = [];
        private readonly List<double> _values = [];
        private long _seen;
        private long _stride = 1;
        private (long Iteration, double Value) _last;
        private bool _lastKept;

        public void Add(long iteration, double value)
        {
            _last = (iteration, value);
            _lastKept = _seen++ % _stride == 0;
            if (!_lastKept)
            {
                return;
            }

            _iterations.Add(iteration);
            _values.Add(value);
            if (_iterations.Count >= MaxPoints)
            {
                _lastKept = (_iterations.Count - 1) % 2 == 0; // halving keeps the even positions: the point just added may go
                Halve(_iterations);
                Halve(_values);
                _stride *= 2;
            }
        }

        public IterationSeries ToSeries(string name)
        {
            var iterations = new List<long>(_iterations);
            var values = new List<double>(_values);
            if (_seen > 0 && !_lastKept)
            {
                // The last point always stays: where the trainer ended is what a reader looks for first.
                iterations.Add(_last.Iteration);
                values.Add(_last.Value);
            }

            return new IterationSeries { Name = name, Iterations = iterations.ToArray(), Values = values.ToArray() };
        }

        private static void Halve<T>(List<T> list)
        {
            int kept = 0;
            for (int i = 0; i < list.Count; i += 2)
            {
                list[kept++] = list[i];
            }

            list.RemoveRange(kept, list.Count - kept);
        }
    }
}
