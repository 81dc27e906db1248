using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.Rendering;
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
            LearningRate = rate,
            LearningRateRange = range,
            LearningRateJump = _jump is var (s, from, to, factor) ? (s, from, to, factor, _jumps) : null,
            SkippedCount = _skipped,
            FirstSkippedStep = _firstSkipped,
            ElapsedSum = _elapsedSum,
            ElapsedCount = _elapsedCount,
        };
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
