using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the per-step scalars: the loss and learning rate (kept as two compact columns, 8 bytes per step each, so that
/// LTTB and the loss-trend means are exact), timings, skipped updates, non-finite losses, learning-rate jumps.
/// </summary>
/// <remarks>
/// The columns are the fold's only per-step state (16 bytes per step, 32 with a learning rate: 32 MB at a million
/// steps, against 2.5 KB per step of log); the per-parameter data, which is 200 to 1000 times larger, is reduced as it
/// streams. The view keeps only the downsampled series and a few numbers.
/// </remarks>
internal sealed class StepScalarsFold : IRunFold
{
    private readonly List<long> _steps = [];
    private readonly List<double> _losses = [];
    private List<double>? _rates; // NaN where a step recorded none; _rateKnown says which
    private List<bool>? _rateKnown;
    private long _nonFinite;
    private long? _firstNonFinite;
    private double _firstNonFiniteValue;
    private long _skipped;
    private long? _firstSkipped;
    private double _elapsedSum;
    private long _elapsedCount;
    private double? _previousRate;
    private (long Step, double From, double To, double Factor)? _jump;
    private int _jumps;
    private readonly QuantileSketch _gradientNorms = new();

    public void Step(StepRecord step, int[] rows, long index)
    {
        _steps.Add(step.Step);
        _losses.Add(step.Loss);
        if (!double.IsFinite(step.Loss))
        {
            _nonFinite++;
            if (_firstNonFinite is null)
            {
                (_firstNonFinite, _firstNonFiniteValue) = (step.Step, step.Loss);
            }
        }

        if (step.LearningRate is double lr || _rates is not null)
        {
            if (_rates is null)
            {
                _rates = new List<double>(_steps.Capacity);
                _rateKnown = new List<bool>(_steps.Capacity);
                for (int i = 0; i < _steps.Count - 1; i++)
                {
                    _rates.Add(double.NaN);
                    _rateKnown.Add(false);
                }
            }

            _rates.Add(step.LearningRate ?? double.NaN);
            _rateKnown!.Add(step.LearningRate is not null);
            if (step.LearningRate is double rate && double.IsFinite(rate))
            {
                if (_previousRate is double p && p > 0 && rate / p >= FindingRules.LearningRateJumpFactor)
                {
                    _jumps++;
                    _jump ??= (step.Step, p, rate, rate / p);
                }

                _previousRate = rate;
            }
        }

        if (TotalGradientNorm(step) is double norm && double.IsFinite(norm))
        {
            _gradientNorms.Add(norm);
        }

        if (step.Skipped == true)
        {
            _skipped++;
            _firstSkipped ??= step.Step;
        }

        if (step.ElapsedMilliseconds is double t && double.IsFinite(t))
        {
            _elapsedSum += t;
            _elapsedCount++;
        }
    }

    public StepsView Finish(int maxPoints, IReadOnlySet<long> keep)
    {
        long[] steps = _steps.ToArray();
        double?[] losses = _losses.Select(l => (double?)l).ToArray();
        ChartSeries loss = ChartSeries.Build("training loss", "loss", steps, losses, maxPoints, keep);
        ChartSeries? rate = null;
        (double, double, double, double)? range = null;
        if (_rates is not null)
        {
            double?[] rates = new double?[_rates.Count];
            double first = double.NaN, last = double.NaN, min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int i = 0; i < rates.Length; i++)
            {
                rates[i] = _rateKnown![i] ? _rates[i] : null;
                if (rates[i] is double r && double.IsFinite(r))
                {
                    first = double.IsNaN(first) ? r : first;
                    last = r;
                    (min, max) = (Math.Min(min, r), Math.Max(max, r));
                }
            }

            rate = ChartSeries.Build("learning rate", "lr", steps, rates, maxPoints, keep);
            range = double.IsNaN(first) ? null : (first, last, min, max);
        }

        return new StepsView
        {
            Count = steps.Length,
            FirstStep = steps.Length == 0 ? null : steps[0],
            LastStep = steps.Length == 0 ? null : steps[^1],
            LastLoss = _losses.Count == 0 ? double.NaN : _losses[^1],
            Loss = loss,
            NonFiniteLossCount = _nonFinite,
            FirstNonFiniteLossStep = _firstNonFinite,
            FirstNonFiniteLoss = _firstNonFiniteValue,
            LossTrend = Digest(),
            Profile = Profile(),
            MedianGradientNorm = _gradientNorms.Median(),
            LearningRate = rate,
            LearningRateRange = range,
            LearningRateJump = _jump is var (s, from, to, factor) ? (s, from, to, factor, _jumps) : null,
            SkippedCount = _skipped,
            FirstSkippedStep = _firstSkipped,
            ElapsedSum = _elapsedSum,
            ElapsedCount = _elapsedCount,
        };
    }

    /// <summary>The step's total gradient norm: recorded, or the root of the sum of squares of its per-parameter norms (null without either).</summary>
    private static double? TotalGradientNorm(StepRecord step)
    {
        if (step.GradientNorm is double total)
        {
            return total;
        }

        double sum = 0;
        bool any = false;
        IReadOnlyList<LayerStatistics> layers = step.Layers;
        if (layers is ParameterColumns columns)
        {
            foreach (double? g in columns.GradientNorms)
            {
                if (g is double x)
                {
                    (sum, any) = (sum + (x * x), true);
                }
            }
        }
        else
        {
            foreach (LayerStatistics layer in layers)
            {
                if (layer.GradientNorm is double x)
                {
                    (sum, any) = (sum + (x * x), true);
                }
            }
        }

        return any ? Math.Sqrt(sum) : null;
    }

    /// <summary>The shape of the finite losses for the silent-fault rules (see <see cref="LossProfile"/>), or null with fewer than 20.</summary>
    private LossProfile? Profile()
    {
        var finite = new List<int>(_losses.Count);
        for (int i = 0; i < _losses.Count; i++)
        {
            if (double.IsFinite(_losses[i]))
            {
                finite.Add(i);
            }
        }

        int n = finite.Count;
        if (n < 20)
        {
            return null;
        }

        int initialCount = LossProfile.InitialSteps;
        double initial = Median.Of(finite.Take(initialCount).Select(i => _losses[i]).ToArray())!.Value;
        double thirdQuarter = MeanOf(finite, n / 2, 3 * n / 4), lastQuarter = MeanOf(finite, 3 * n / 4, n);

        // The last half, less its centred moving mean: what is left is the step-to-step swing, not the trend.
        int half = n / 2, m = n - half, k = Math.Max(5, m / 10);
        var prefix = new double[m + 1];
        for (int i = 0; i < m; i++)
        {
            prefix[i + 1] = prefix[i] + _losses[finite[half + i]];
        }

        var residuals = new double[m];
        var tail = new double[m];
        for (int i = 0; i < m; i++)
        {
            int lo = Math.Max(0, i - (k / 2)), hi = Math.Min(m, i + (k / 2) + 1);
            tail[i] = _losses[finite[half + i]];
            residuals[i] = tail[i] - ((prefix[hi] - prefix[lo]) / (hi - lo));
        }

        Array.Sort(residuals);
        Array.Sort(tail);
        int windows = Math.Min(LossProfile.MaxWindows, n);
        var list = new List<LossWindow>(windows);
        for (int w = 0; w < windows; w++)
        {
            int from = (int)((long)w * n / windows), to = (int)((long)(w + 1) * n / windows);
            list.Add(new LossWindow(_steps[finite[from]], _steps[finite[to - 1]], to - from, MeanOf(finite, from, to)));
        }

        return new LossProfile
        {
            Count = n,
            InitialLevel = initial,
            InitialCount = initialCount,
            ThirdQuarterMean = thirdQuarter,
            LastQuarterMean = lastQuarter,
            TailFirstStep = _steps[finite[half]],
            TailMedian = Quantile(tail, 0.5),
            TailSwing = Quantile(residuals, 0.9) - Quantile(residuals, 0.1),
            TailBand = (Quantile(tail, 0.1), Quantile(tail, 0.9)),
            Windows = list,
        };
    }

    private double MeanOf(List<int> finite, int from, int to)
    {
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            sum += _losses[finite[i]];
        }

        return sum / Math.Max(1, to - from);
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values, linear between ranks.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double rank = (sorted.Length - 1) * q;
        int lo = (int)rank, hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    /// <summary>The means of the first and last tenth of the finite losses, and the best window of a tenth (a running sum).</summary>
    private LossDigest? Digest()
    {
        var finite = new List<int>(_losses.Count);
        for (int i = 0; i < _losses.Count; i++)
        {
            if (double.IsFinite(_losses[i]))
            {
                finite.Add(i);
            }
        }

        if (finite.Count < 10)
        {
            return null;
        }

        int tenth = Math.Max(1, finite.Count / 10);
        double start = 0, end = 0;
        for (int i = 0; i < tenth; i++)
        {
            start += _losses[finite[i]];
            end += _losses[finite[finite.Count - tenth + i]];
        }

        (start, end) = (start / tenth, end / tenth);
        double sum = 0, best = double.PositiveInfinity;
        long bestStep = _steps[finite[0]];
        for (int i = 0; i < finite.Count; i++)
        {
            sum += _losses[finite[i]] - (i >= tenth ? _losses[finite[i - tenth]] : 0);
            if (i >= tenth - 1 && sum / tenth < best)
            {
                (best, bestStep) = (sum / tenth, _steps[finite[i]]);
            }
        }

        return new LossDigest(finite.Count, start, end, best, bestStep);
    }
}
