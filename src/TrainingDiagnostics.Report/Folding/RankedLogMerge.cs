using System.Globalization;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Merges the records of per-rank logs by step, streaming (see <see cref="RankLogs"/> for what the merge means): it
/// holds one pending record per log and, per round, every record of the lowest pending step from each log; so memory
/// is one step per rank whatever the run's length. Records are expected in step order within each log (the monitor
/// writes them so); a record older than the current step joins the current round.
/// </summary>
internal sealed class RankedLogMerge
{
    private readonly RunLogCursor[] _cursors;
    private readonly int[] _ranks;
    private readonly bool[] _hasHead;
    private readonly Queue<object> _ready = new();
    private readonly IReadOnlyList<string>?[] _alignedNames;
    private readonly IReadOnlyList<string>?[] _alignedWith;

    public RankedLogMerge(IReadOnlyList<RunLogCursor> cursors)
    {
        _cursors = cursors.OrderBy(c => RankLogs.Rank(c.Metadata) ?? int.MaxValue).ToArray();
        _ranks = _cursors.Select(c => RankLogs.Rank(c.Metadata) ?? 0).ToArray();
        Metadata = RankLogs.MergedMetadata(_cursors.Select(c => c.Metadata).ToList());
        _hasHead = _cursors.Select(c => c.MoveNext()).ToArray();
        _alignedNames = new IReadOnlyList<string>?[_cursors.Length];
        _alignedWith = new IReadOnlyList<string>?[_cursors.Length];
    }

    public RunMetadata Metadata { get; }

    public object Current { get; private set; } = null!;

    public bool MoveNext()
    {
        while (_ready.Count == 0)
        {
            if (!NextRound())
            {
                return false;
            }
        }

        Current = _ready.Dequeue();
        return true;
    }

    private static long StepOf(object record) => record switch
    {
        StepRecord s => s.Step,
        AnomalyEvent a => a.Step,
        MetricRecord m => m.Step,
        _ => long.MinValue, // unknown kinds pass through at once
    };

    private bool NextRound()
    {
        long round = long.MaxValue;
        for (int i = 0; i < _cursors.Length; i++)
        {
            if (_hasHead[i])
            {
                round = Math.Min(round, StepOf(_cursors[i].Current));
            }
        }

        if (round == long.MaxValue)
        {
            return false;
        }

        var steps = new List<(int Rank, StepRecord Step)>();
        var anomalies = new List<(int Rank, AnomalyEvent Event)>();
        var metrics = new List<MetricRecord>();
        for (int i = 0; i < _cursors.Length; i++)
        {
            while (_hasHead[i] && StepOf(_cursors[i].Current) <= round)
            {
                switch (_cursors[i].Current)
                {
                    case StepRecord step:
                        steps.Add((i, step));
                        break;
                    case AnomalyEvent anomaly:
                        anomalies.Add((i, anomaly));
                        break;
                    case MetricRecord metric:
                        metrics.Add(metric);
                        break;
                    default:
                        _ready.Enqueue(_cursors[i].Current);
                        break;
                }

                _hasHead[i] = _cursors[i].MoveNext();
            }
        }

        foreach (var (rank, anomaly) in anomalies.OrderBy(a => a.Event.Step).ThenBy(a => a.Rank))
        {
            _ready.Enqueue(anomaly with { Message = $"[rank {_ranks[rank].ToString(CultureInfo.InvariantCulture)}] {anomaly.Message}" });
        }

        foreach (var group in steps.GroupBy(s => s.Step.Step).OrderBy(g => g.Key))
        {
            _ready.Enqueue(MergeStep(group.ToList()));
        }

        foreach (var group in metrics.GroupBy(m => (m.Step, m.Name)).OrderBy(g => g.Key.Step).ThenBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            _ready.Enqueue(group.First() with { Value = group.Average(m => m.Value) });
        }

        return true;
    }

    private StepRecord MergeStep(List<(int Rank, StepRecord Step)> ranks)
    {
        StepRecord first = ranks[0].Step;
        double loss = 0;
        foreach (var (_, step) in ranks)
        {
            loss += step.Loss;
        }

        return first with
        {
            Loss = loss / ranks.Count,
            GradientNorm = Largest(ranks.Select(r => r.Step.GradientNorm)),
            ElapsedMilliseconds = Largest(ranks.Select(r => r.Step.ElapsedMilliseconds)),
            Skipped = ranks.Any(r => r.Step.Skipped == true) ? true : first.Skipped,
            Layers = ranks.Count == 1 ? first.Layers : MergeLayers(ranks),
        };
    }

    private IReadOnlyList<LayerStatistics> MergeLayers(List<(int Rank, StepRecord Step)> ranks)
    {
        IReadOnlyList<LayerStatistics> firstLayers = ranks[0].Step.Layers;
        if (firstLayers is ParameterColumns firstColumns && ranks.All(r => Aligned(r.Rank, r.Step.Layers, firstColumns.Names)))
        {
            // The common case: every rank logs the same parameters in the same order: merge column by column.
            int n = firstColumns.Count;
            var gradient = firstColumns.GradientNorms.ToArray();
            double?[]? update = firstColumns.UpdateRatios.IsEmpty ? null : firstColumns.UpdateRatios.ToArray();
            foreach (var (_, step) in ranks.Skip(1))
            {
                var columns = (ParameterColumns)step.Layers;
                ReadOnlySpan<double?> g = columns.GradientNorms, u = columns.UpdateRatios;
                for (int k = 0; k < n; k++)
                {
                    gradient[k] = Larger(gradient[k], g[k]);
                }

                if (!u.IsEmpty)
                {
                    update ??= new double?[n];
                    for (int k = 0; k < n; k++)
                    {
                        update[k] = Larger(update[k], u[k]);
                    }
                }
            }

            return new ParameterColumns((string[])firstColumns.Names, gradient, firstColumns.WeightNorms.IsEmpty ? null : firstColumns.WeightNorms.ToArray(), update);
        }

        var byName = ranks.Skip(1).Select(r => r.Step.Layers.GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).ToList();
        return firstLayers.Select(layer =>
        {
            double? gradient = layer.GradientNorm, update = layer.UpdateRatio;
            foreach (var other in byName)
            {
                if (other.TryGetValue(layer.Name, out LayerStatistics? same))
                {
                    (gradient, update) = (Larger(gradient, same.GradientNorm), Larger(update, same.UpdateRatio));
                }
            }

            return layer with { GradientNorm = gradient, UpdateRatio = update };
        }).ToList();
    }

    /// <summary>Whether a rank's layers are columns over the same names as the first rank's (checked once per names instance).</summary>
    private bool Aligned(int rank, IReadOnlyList<LayerStatistics> layers, IReadOnlyList<string> names)
    {
        if (layers is not ParameterColumns columns)
        {
            return false;
        }

        if (ReferenceEquals(columns.Names, names) || (ReferenceEquals(_alignedNames[rank], columns.Names) && ReferenceEquals(_alignedWith[rank], names)))
        {
            return true;
        }

        if (!columns.Names.SequenceEqual(names, StringComparer.Ordinal))
        {
            return false;
        }

        (_alignedNames[rank], _alignedWith[rank]) = (columns.Names, names);
        return true;
    }

    /// <summary>The larger present value; a NaN or infinity wins over any finite value (the first non-finite one seen).</summary>
    private static double? Larger(double? best, double? value)
    {
        if (value is not double v)
        {
            return best;
        }

        if (best is double b && !double.IsFinite(b))
        {
            return b;
        }

        return !double.IsFinite(v) ? v : best is double c ? Math.Max(c, v) : v;
    }

    private static double? Largest(IEnumerable<double?> values)
    {
        double? best = null;
        foreach (double? value in values)
        {
            best = Larger(best, value);
        }

        return best;
    }
}
