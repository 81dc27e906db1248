using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// The in-memory history of a run, bounded: once it holds more than its capacity, every other ordinary step is dropped
/// (steps with anomalies are kept), so memory stays O(capacity) for runs of any length. The run log on disk keeps every step.
/// </summary>
internal sealed class RunHistory
{
    private readonly int _capacity;
    private readonly List<StepRecord> _steps = [];
    private readonly List<AnomalyEvent> _anomalies = [];
    private readonly List<MetricRecord> _metrics = [];
    private readonly List<CurvatureRecord> _curvature = [];
    private readonly List<InstrumentFailureRecord> _instrumentFailures = [];
    private readonly List<HealRecord> _heals = [];
    private readonly List<DataProfileRecord> _dataProfiles = [];
    private readonly HashSet<long> _anomalySteps = [];
    private long _stride = 1;

    public RunHistory(int capacity) => _capacity = Math.Max(capacity, 16);

    public IReadOnlyList<StepRecord> Steps => _steps;

    public IReadOnlyList<AnomalyEvent> Anomalies => _anomalies;

    public IReadOnlyList<MetricRecord> Metrics => _metrics;

    public IReadOnlyList<CurvatureRecord> Curvature => _curvature;

    public IReadOnlyList<InstrumentFailureRecord> InstrumentFailures => _instrumentFailures;

    public IReadOnlyList<HealRecord> Heals => _heals;

    /// <summary>Keeps an instrument failure: the first <see cref="MaxEvents"/> of the run (the log keeps them all).</summary>
    public void Add(InstrumentFailureRecord failure)
    {
        if (_instrumentFailures.Count < MaxEvents)
            _instrumentFailures.Add(failure);
    }

    /// <summary>Keeps a Heal record: the first <see cref="MaxEvents"/> of the run (the Heal policy acts a bounded number of times).</summary>
    public void Add(HealRecord heal)
    {
        if (_heals.Count < MaxEvents)
            _heals.Add(heal);
    }

    /// <summary>How many instrument failures, and how many Heal records, the in-memory history keeps.</summary>
    public const int MaxEvents = 1000;
    public IReadOnlyList<DataProfileRecord> DataProfiles => _dataProfiles;

    /// <summary>Keeps a data profile (one per profiled input: never thinned).</summary>
    public void Add(DataProfileRecord profile) => _dataProfiles.Add(profile);

    /// <summary>
    /// Keeps a curvature estimate (few on a logarithmic schedule). Beyond the capacity the older half is thinned by step
    /// (every other measured step, with all its estimates), so an eigenvalue keeps its trace.
    /// </summary>
    public void Add(CurvatureRecord curvature)
    {
        _curvature.Add(curvature);
        if (_curvature.Count > 4 * _capacity)
        {
            int half = _curvature.Count / 2;
            var steps = _curvature.Take(half).Select(c => c.Step).Distinct().ToList();
            var kept = steps.Where((_, i) => i % 2 == 0).ToHashSet();
            long boundary = _curvature[half].Step;
            _curvature.RemoveAll(c => c.Step < boundary && !kept.Contains(c.Step));
        }
    }

    /// <summary>Keeps a metric (metrics are few: one per evaluation, not per step; thinned like steps beyond the capacity).</summary>
    public void Add(MetricRecord metric)
    {
        _metrics.Add(metric);
        if (_metrics.Count > 4 * _capacity)
        {
            // Thin the older half (every other value), keep the recent half dense.
            int half = _metrics.Count / 2;
            var older = _metrics.Take(half).Where((_, i) => i % 2 == 0).ToList();
            _metrics.RemoveRange(0, half);
            _metrics.InsertRange(0, older);
        }
    }

    /// <summary>The spacing of ordinary steps kept in memory (1 until the first thinning).</summary>
    public long Stride => _stride;

    public void Add(StepRecord step, IReadOnlyList<AnomalyEvent> anomalies)
    {
        foreach (var a in anomalies)
        {
            _anomalies.Add(a);
            _anomalySteps.Add(a.Step);
        }
        if (anomalies.Count == 0 && step.Step % _stride != 0)
            return;
        _steps.Add(step);
        if (_steps.Count > _capacity)
        {
            _stride *= 2;
            // Anomaly steps are kept while they fit in half the capacity; a run that is anomalous at every step is thinned too.
            bool keepAnomalies = _anomalySteps.Count <= _capacity / 2;
            _steps.RemoveAll(s => s.Step % _stride != 0 && !(keepAnomalies && _anomalySteps.Contains(s.Step)));
        }
        if (_anomalies.Count > _capacity)
            _anomalies.RemoveAt(_capacity / 2); // keep the first incidents and the most recent ones
    }
}
