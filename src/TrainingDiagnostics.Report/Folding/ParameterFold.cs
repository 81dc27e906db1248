using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the per-parameter statistics: a summary per parameter (<see cref="ParameterAccumulator"/>), the heatmap, and
/// where gradients first went non-finite.
/// </summary>
/// <remarks>
/// The heatmap streams into B = max(2048, 2 x <c>MaxHeatmapColumns</c>) buckets of equal width (in steps); when they are
/// full, pairs merge (keeping the larger value, a non-finite one winning) and the width doubles. At the end the buckets
/// are grouped into at most <c>MaxHeatmapColumns</c> columns (column widths differ by at most one bucket); a run of at
/// most B steps gets exactly the in-memory layout (step i in column ⌊i·columns/n⌋). Memory: rows x B doubles, twice
/// with update ratios (200 parameters: 6.6 MB).
/// </remarks>
internal sealed class ParameterFold(int maxColumns) : IRunFold
{
    /// <summary>The fewest buckets: runs up to this many steps get exactly the in-memory column layout.</summary>
    public const int MinBuckets = 2048;

    private readonly List<ParameterAccumulator> _rows = [];
    private readonly int _buckets = Math.Max(MinBuckets, 2 * maxColumns);
    private readonly long[] _start = new long[Math.Max(MinBuckets, 2 * maxColumns)];
    private readonly long[] _end = new long[Math.Max(MinBuckets, 2 * maxColumns)];
    private long _width = 1;
    private long _count;
    private int _lastBucket = -1;
    private long _badSteps;
    private long? _firstBad;
    private string[] _firstBadNames = [];
    private bool _anyBadLayer;

    /// <summary>The rows as an array (the hot loop indexes it without the list's checks), its capacity doubled as rows come.</summary>
    private ParameterAccumulator[] _accumulators = new ParameterAccumulator[16];

    /// <summary>Registers a new parameter row (called by <see cref="RunFold"/> in order of first appearance).</summary>
    public void AddRow(string name)
    {
        var row = new ParameterAccumulator(name, _buckets);
        if (_rows.Count == _accumulators.Length)
        {
            Array.Resize(ref _accumulators, 2 * _accumulators.Length);
        }

        _accumulators[_rows.Count] = row;
        _rows.Add(row);
    }

    public void Step(StepRecord step, int[] rows, long index)
    {
        _count = index + 1;
        int bucket = (int)(index / _width);
        if (bucket == _buckets)
        {
            Compact();
            bucket = (int)(index / _width);
        }

        if (bucket != _lastBucket)
        {
            _start[bucket] = step.Step;
            _lastBucket = bucket;
        }

        _end[bucket] = step.Step;
        bool bad = step.GradientNorm is double total && !double.IsFinite(total);
        bool badLayer = false;
        IReadOnlyList<LayerStatistics> layers = step.Layers;
        if (layers is ParameterColumns columns)
        {
            ReadOnlySpan<double?> g = columns.GradientNorms, w = columns.WeightNorms, u = columns.UpdateRatios;
            ParameterAccumulator[] accumulators = _accumulators;
            if (w.IsEmpty && u.IsEmpty)
            {
                // Most steps: gradient norms only (weight norms and update ratios come every 10th step by default).
                for (int k = 0; k < rows.Length && k < g.Length; k++)
                {
                    badLayer |= accumulators[rows[k]].AddGradient(step.Step, g[k], bucket);
                }
            }
            else
            {
                for (int k = 0; k < rows.Length; k++)
                {
                    double? gradient = g[k];
                    badLayer |= gradient is double x && !double.IsFinite(x);
                    accumulators[rows[k]].Add(step.Step, gradient, w.IsEmpty ? null : w[k], u.IsEmpty ? null : u[k], bucket);
                }
            }
        }
        else
        {
            for (int k = 0; k < rows.Length; k++)
            {
                LayerStatistics layer = layers[k];
                badLayer |= layer.GradientNorm is double x && !double.IsFinite(x);
                _rows[rows[k]].Add(step.Step, layer.GradientNorm, layer.WeightNorm, layer.UpdateRatio, bucket);
            }
        }

        _anyBadLayer |= badLayer;
        if (bad || badLayer)
        {
            _badSteps++;
            if (_firstBad is null)
            {
                _firstBad = step.Step;
                _firstBadNames = layers.Where(l => l.GradientNorm is double x && !double.IsFinite(x)).Select(l => l.Name).ToArray();
            }
        }
    }

    public ParametersView Finish()
    {
        int fine = _lastBucket + 1;
        int columns = (int)Math.Min(_count, maxColumns);
        var start = new long[columns];
        var end = new long[columns];
        var gradient = new int[_rows.Count][];
        int[][]? update = _rows.Any(r => r.UpdateHeat is not null) ? new int[_rows.Count][] : null;
        var target = new int[fine];
        for (int j = 0; j < fine; j++)
        {
            target[j] = (int)((long)j * columns / fine);
            if (j == 0 || target[j] != target[j - 1])
            {
                start[target[j]] = _start[j];
            }

            end[target[j]] = _end[j];
        }

        for (int r = 0; r < _rows.Count; r++)
        {
            gradient[r] = Codes(_rows[r].Heat, target, columns);
            if (update is not null)
            {
                update[r] = _rows[r].UpdateHeat is { } u ? Codes(u, target, columns) : Codes(ParameterAccumulator.NewBuckets(fine), target, columns);
            }
        }

        var summaries = _rows.Select(r => new LayerGradientSummary(r.Name, r.Recorded, r.NonFinite, r.First, r.Last,
            r.Gradients.Count == 0 ? null : r.Min, r.Gradients.Count == 0 ? null : r.Max, r.Gradients.Median(), r.LastWeight, r.Ratios.Median())).ToList();
        var motion = _rows.Select(r => new ParameterMotion(r.Name, r.UpdateRatioCount, r.PositiveUpdates, r.ZeroRunStart, r.ZeroRunLength,
            r.GradientsDuringZeroRun, r.PositiveGradientsDuringZeroRun, r.WeightNormCount, r.WeightNormConstant, r.PositiveGradients, r.FirstStep)).ToList();
        return new ParametersView
        {
            Rows = summaries,
            Motion = motion,
            GradientTrend = Trend(fine),
            Heatmap = new GradientHeatmap(_rows.Select(r => r.Name).ToList(), start, end, gradient, update),
            NonFiniteGradientSteps = _badSteps,
            FirstNonFiniteGradientStep = _firstBad,
            FirstNonFiniteGradientNames = _firstBadNames,
            AnyNonFiniteLayerGradient = _anyBadLayer,
        };
    }

    /// <summary>
    /// The gradient norms over time at a coarse grain for the rules: at most <see cref="ParametersView.TrendColumns"/> columns, each the
    /// largest norm of its buckets per parameter (or -1 when none), with the first step of each column.
    /// </summary>
    private (long[] Start, double[][] Norms) Trend(int fine)
    {
        int columns = Math.Min(fine, ParametersView.TrendColumns);
        var start = new long[columns];
        var norms = _rows.Select(_ => Enumerable.Repeat(-1.0, columns).ToArray()).ToArray();
        for (int j = 0; j < fine; j++)
        {
            int c = (int)((long)j * columns / fine);
            if (j == 0 || c != (int)((long)(j - 1) * columns / fine))
            {
                start[c] = _start[j];
            }

            for (int r = 0; r < _rows.Count; r++)
            {
                norms[r][c] = Math.Max(norms[r][c], _rows[r].Heat[j]);
            }
        }

        return (start, norms);
    }

    private static int[] Codes(double[] buckets, int[] target, int columns)
    {
        var merged = new double[columns];
        Array.Fill(merged, -1);
        for (int j = 0; j < target.Length; j++)
        {
            merged[target[j]] = Math.Max(merged[target[j]], buckets[j]);
        }

        return merged.Select(v => v < 0 ? GradientHeatmap.Missing : GradientHeatmap.Quantize(v)).ToArray();
    }

    private void Compact()
    {
        foreach (ParameterAccumulator row in _rows)
        {
            row.Compact();
        }

        int half = _buckets / 2;
        for (int j = 0; j < half; j++)
        {
            _start[j] = _start[2 * j];
            _end[j] = _end[(2 * j) + 1];
        }

        _width *= 2;
        _lastBucket = half - 1;
    }
}
