using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds a run's records, in one pass, into its <see cref="RunView"/>: it numbers the parameters (in order of first
/// appearance, once per distinct name list rather than per step), hands every record to each section's fold, and
/// assembles their sections at the end. The records can come from a log cursor (streaming, bounded memory), from
/// several rank logs merged by step, or from an in-memory <see cref="DiagnosticsRun"/>: the view, and so the
/// verdict, is the same.
/// </summary>
internal sealed class RunFold
{
    private readonly ReportOptions _options;
    private readonly StepScalarsFold _scalars = new();
    private readonly ParameterFold _parameters;
    private readonly IncidentFold _incidents;
    private readonly MetricFold _metrics = new();
    private readonly IRunFold[] _folds;
    private readonly PipelineRecordsFold _pipeline = new();
    private readonly CurvatureFold _curvature = new();
    private readonly MonitorEventsFold _monitorEvents = new();
    private readonly ActivationFold _activations = new();
    private readonly Dictionary<string, int> _rowIndex = new(StringComparer.Ordinal);
    private object? _lastNames;
    private IReadOnlyList<LayerStatistics>? _lastList;
    private int[] _lastMap = [];
    private long _index;
    private long _stepMin = long.MaxValue, _stepMax = long.MinValue, _metricMin = long.MaxValue, _metricMax = long.MinValue;

    /// <summary>A fold of the view's sections and, when given, <paramref name="extra"/>, a caller's own fold that sees every record too (the comparison's).</summary>
    public RunFold(ReportOptions options, IRunFold? extra = null)
    {
        _options = options;
        _parameters = new ParameterFold(options.MaxHeatmapColumns);
        _incidents = new IncidentFold(options.MaxIncidentDetails);
        _folds = [_scalars, _parameters, _incidents, _metrics, _pipeline, _curvature, _monitorEvents, _activations, .. extra is null ? Array.Empty<IRunFold>() : [extra]];
    }

    /// <summary>Folds an in-memory run (and into <paramref name="extra"/>, when given).</summary>
    public static RunView FromRun(DiagnosticsRun run, ReportOptions options, IRunFold? extra = null)
    {
        var fold = new RunFold(options, extra);
        foreach (AnomalyEvent anomaly in run.Anomalies)
        {
            fold.Add(anomaly);
        }

        // Curvature after the step it was measured at, as the log writes it, so it meets that step's learning rate.
        var curvature = run.Curvature.OrderBy(c => c.Step).ToList();
        int next = 0;
        foreach (StepRecord step in run.Steps)
        {
            while (next < curvature.Count && curvature[next].Step < step.Step)
            {
                fold.Add(curvature[next++]);
            }

            fold.Add(step);
        }

        while (next < curvature.Count)
        {
            fold.Add(curvature[next++]);
        }

        // Every other kind after them, in the table's order (metrics, data profiles, observed fits, failures, heals).
        foreach (RunLogKind kind in RunLogKinds.All)
        {
            if (kind.RecordType != typeof(StepRecord) && kind.RecordType != typeof(AnomalyEvent) && kind.RecordType != typeof(CurvatureRecord))
            {
                foreach (object record in kind.RecordsOf(run))
                {
                    fold.Add(record);
                }
            }
        }

        return fold.Finish(run.Metadata, run.IsComplete, run.SkippedRecordCount);
    }

    /// <summary>Folds the records of one open log (and into <paramref name="extra"/>, when given), reporting the share of its bytes read (0 to 1) now and then.</summary>
    public static RunView FromLog(RunLogCursor cursor, ReportOptions options, IProgress<double>? progress = null, IRunFold? extra = null)
    {
        var fold = new RunFold(options, extra);
        int n = 0;
        if (PrefetchedRecords.Useful)
        {
            // Parse on a second core while this one folds: the same records in the same order, so the same view. Version-1
            // steps too: read fast, they are columns like version-2 steps (an object per parameter, handed across
            // threads, once cost more collector work than the second core saved).
            using var prefetched = new PrefetchedRecords(cursor);
            foreach (ArraySegment<object> batch in prefetched.Batches())
            {
                foreach (object record in batch)
                {
                    fold.Add(record);
                }

                n += batch.Count;
                if (progress is not null && (n & 1023) < batch.Count && cursor.Length is long length && length > 0)
                {
                    progress.Report((double)cursor.BytesRead / length);
                }
            }
        }
        else
        {
            while (cursor.MoveNext())
            {
                fold.Add(cursor.Current);
                if (progress is not null && (++n & 1023) == 0 && cursor.Length is long length && length > 0)
                {
                    progress.Report((double)cursor.BytesRead / length);
                }
            }
        }

        progress?.Report(1);
        return fold.Finish(cursor.Metadata, cursor.IsComplete, cursor.SkippedRecordCount);
    }

    /// <summary>Folds the per-rank logs of one run, merged by step as <see cref="RankLogs"/> describes.</summary>
    public static RunView FromRankLogs(IReadOnlyList<RunLogCursor> cursors, ReportOptions options, IProgress<double>? progress = null)
    {
        var fold = new RunFold(options);
        var merge = new RankedLogMerge(cursors);
        int n = 0;
        long total = cursors.Sum(c => c.Length ?? 0);
        while (merge.MoveNext())
        {
            fold.Add(merge.Current);
            if (progress is not null && (++n & 1023) == 0 && total > 0)
            {
                progress.Report((double)cursors.Sum(c => c.BytesRead) / total);
            }
        }

        progress?.Report(1);
        return fold.Finish(merge.Metadata, cursors.All(c => c.IsComplete), cursors.Sum(c => c.SkippedRecordCount));
    }

    public void Add(object record)
    {
        switch (record)
        {
            case StepRecord step:
                int[] rows = Rows(step.Layers);
                (_stepMin, _stepMax) = (Math.Min(_stepMin, step.Step), Math.Max(_stepMax, step.Step));
                foreach (IRunFold fold in _folds)
                {
                    fold.Step(step, rows, _index);
                }

                _index++;
                break;
            case AnomalyEvent anomaly:
                foreach (IRunFold fold in _folds)
                {
                    fold.Anomaly(anomaly);
                }

                break;
            case MetricRecord metric:
                (_metricMin, _metricMax) = (Math.Min(_metricMin, metric.Step), Math.Max(_metricMax, metric.Step));
                foreach (IRunFold fold in _folds)
                {
                    fold.Metric(metric);
                }

                break;
            default:
                foreach (IRunFold fold in _folds)
                {
                    fold.Record(record);
                }

                break;
        }
    }

    public RunView Finish(RunMetadata metadata, bool complete, int skipped)
    {
        IncidentsView incidents = _incidents.Finish();
        long min = Math.Min(_stepMin, _metricMin), max = Math.Max(_stepMax, _metricMax);
        return new RunView
        {
            Metadata = metadata,
            IsComplete = complete,
            SkippedRecordCount = skipped,
            Incidents = incidents,
            Steps = _scalars.Finish(_options.MaxChartPoints, incidents.Steps.ToHashSet()),
            Parameters = _parameters.Finish(),
            Metrics = _metrics.Finish(),
            DataProfiles = _pipeline.DataProfiles,
            ObservedFits = _pipeline.ObservedFits,
            Curvature = _curvature.Finish(),
            MonitorEvents = _monitorEvents.Finish(),
            Activations = _activations.Finish(),
            Range = min > max ? (0L, 1L) : (min, max),
            StepRange = _stepMin > _stepMax ? null : (_stepMin, _stepMax),
        };
    }

    /// <summary>The row of each layer; steps listing the same names as the step before (the same instance, for columns) share one map.</summary>
    private int[] Rows(IReadOnlyList<LayerStatistics> layers)
    {
        if (layers is ParameterColumns columns)
        {
            if (ReferenceEquals(columns.Names, _lastNames))
            {
                return _lastMap;
            }

            _lastNames = columns.Names;
            _lastList = null;
            return _lastMap = Map(columns.Names);
        }

        if (_lastList is not null && SameNames(layers, _lastList))
        {
            _lastList = layers;
            return _lastMap;
        }

        _lastNames = null;
        _lastList = layers;
        return _lastMap = Map(layers.Select(l => l.Name).ToList());
    }

    private static bool SameNames(IReadOnlyList<LayerStatistics> a, IReadOnlyList<LayerStatistics> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int k = 0; k < a.Count; k++)
        {
            if (!string.Equals(a[k].Name, b[k].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private int[] Map(IReadOnlyList<string> names)
    {
        var map = new int[names.Count];
        for (int k = 0; k < names.Count; k++)
        {
            if (!_rowIndex.TryGetValue(names[k], out int row))
            {
                row = _rowIndex.Count;
                _rowIndex.Add(names[k], row);
                _parameters.AddRow(names[k]);
            }

            map[k] = row;
        }

        return map;
    }
}
