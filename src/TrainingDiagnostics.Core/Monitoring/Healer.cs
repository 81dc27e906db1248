using TorchSharp;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The online part of <see cref="AnomalyPolicy.Heal"/>: when the loss diverges, a gradient explodes or turns non-finite, or
/// the loss swings without progress, it scales the learning rate by a factor measured from the run (after the monitor has
/// rolled back), at most <see cref="MonitorOptions.MaxHealActions"/> times, and judges each action
/// <see cref="JudgeAfter"/> steps later against the loss's level before the trouble. Every action and outcome is a <see cref="HealRecord"/>.
/// </summary>
/// <remarks>
/// The factor, from the strongest evidence available: the measured sharpness λ against the learning rate (a factor
/// 1/(lr·λ) puts the sharpest direction at lr·λ = 1, well inside the stable 2); else the loss's own growth g per step (for
/// gradient descent on a quadratic |1 - lr·λ| = √g, so 1/(1 + √g) does the same); else the last update-to-weight ratios
/// against a healthy 1e-3. Every factor is clamped to [0.01, 0.5]: an action at least halves the learning rate.
/// </remarks>
internal sealed class Healer
{
    /// <summary>Steps after an action at which its outcome is judged (and the losses it is judged on).</summary>
    public const int JudgeAfter = 20;

    /// <summary>Losses kept to judge swings: an oscillation is judged over this many healthy steps.</summary>
    private const int Window = 40;

    /// <summary>A loss that swings step to step by more than this share of its median, with no progress, oscillates.</summary>
    private const double SwingShare = 0.5;

    /// <summary>No progress: the window's median loss is still above this share of the run's first losses.</summary>
    private const double NoProgressShare = 0.5;

    /// <summary>A healthy update moves a weight by about this share of its norm per step.</summary>
    private const double HealthyUpdateRatio = 1e-3;

    private const double MinFactor = 0.01, MaxFactor = 0.5;

    private readonly optim.Optimizer? _optimizer;
    private readonly int _maxActions;
    private readonly List<double> _healthy = []; // the last Window finite losses of steps without an actionable anomaly
    private double? _startLevel;
    private readonly List<double> _firstLosses = [];
    private readonly List<double> _recent = []; // the last few finite losses of any step, for the growth rate
    private IReadOnlyList<double?>? _lastRatios;
    private double? _sharpness;
    private int _actions;
    private (long Step, string Action, double Level, long Due)? _pending;
    private long _quietUntil = -1;

    public Healer(optim.Optimizer? optimizer, int maxActions)
    {
        _optimizer = optimizer;
        _maxActions = maxActions;
    }

    /// <summary>
    /// Observes a finished step (after the monitor's rollback, if any) and acts when it must; returns the records to write.
    /// </summary>
    public List<HealRecord> Observe(long step, double loss, IReadOnlyList<AnomalyEvent> anomalies, bool actionable, IReadOnlyList<double?>? updateRatios, double? sharpness)
    {
        var records = new List<HealRecord>();
        if (double.IsFinite(loss))
        {
            _recent.Add(loss);
            if (_recent.Count > 6)
                _recent.RemoveAt(0);
        }
        if (updateRatios is not null && AnyPositive(updateRatios))
            _lastRatios = updateRatios;
        if (sharpness is double s && double.IsFinite(s) && s > 0)
            _sharpness = s;

        bool trouble = actionable && anomalies.Any(a => a.Kind is AnomalyKind.DivergingLoss or AnomalyKind.ExplodingGradient
            or AnomalyKind.NonFiniteLoss or AnomalyKind.NonFiniteGradient or AnomalyKind.NonFiniteActivation or AnomalyKind.NonFiniteParameter);
        if (trouble)
        {
            if (_pending is { } p)
            {
                records.Add(Outcome(step, p, healed: false, $"the trouble came back at step {step} ({Kinds(anomalies)})"));
                _pending = null;
            }
            if (step > _quietUntil) // the same burst of alarms is one trouble
                Act(step, records, $"{Kinds(anomalies)} at step {step}", GrowthFactor(loss));
            return records;
        }
        if (actionable || !double.IsFinite(loss))
            return records; // a poisoned batch or a degenerate BatchNorm batch: skipped, nothing to heal

        Remember(loss);
        if (_pending is { } pending && step >= pending.Due)
        {
            double recent = Median(_healthy.TakeLast(JudgeAfter / 2));
            bool healed = recent < pending.Level;
            records.Add(Outcome(step, pending, healed, healed
                ? FormattableString.Invariant($"loss back below its pre-spike level ({recent:G3} < {pending.Level:G3})")
                : FormattableString.Invariant($"loss still above its pre-spike level ({recent:G3} >= {pending.Level:G3})")));
            _pending = null;
        }
        else if (_pending is null && step > _quietUntil && Oscillation() is { } swing)
        {
            Act(step, records, FormattableString.Invariant(
                $"the loss swings by {swing:P0} of its median from step to step over the last {Window} steps, with no progress since the start"),
                SwingFactor(swing));
        }
        return records;
    }

    private void Act(long step, List<HealRecord> records, string reason, (double Factor, string Evidence) fallback)
    {
        if (_actions >= _maxActions || _optimizer is null || !_optimizer.ParamGroups.Any())
            return;
        double lr = _optimizer.ParamGroups.First().LearningRate;
        var (factor, evidence) = _sharpness is double lambda && lr * lambda > 1
            ? (1 / (lr * lambda), FormattableString.Invariant($"the sharpness {lambda:G3} against lr {lr:G3} (lr·λ = {lr * lambda:G3}; 1/(lr·λ) brings it to 1)"))
            : fallback;
        factor = Math.Clamp(factor, MinFactor, MaxFactor);
        foreach (var group in _optimizer.ParamGroups)
            group.LearningRate *= factor;
        _actions++;
        double level = _healthy.Count > 0 ? Median(_healthy) : _startLevel ?? double.PositiveInfinity;
        records.Add(new HealRecord
        {
            Step = step,
            Action = RemedyActions.ScaleLearningRate,
            Factor = factor,
            From = lr,
            To = lr * factor,
            Reason = $"{reason}. Factor from {evidence}.",
        });
        _pending = (step, RemedyActions.ScaleLearningRate, level, step + JudgeAfter);
        _quietUntil = step + 2; // the alarms of the steps right after belong to the same trouble
        _healthy.Clear(); // swings and growth are judged afresh at the new learning rate
        _recent.Clear();
    }

    private static HealRecord Outcome(long step, (long Step, string Action, double Level, long Due) pending, bool healed, string outcome) => new()
    {
        Step = step,
        Action = pending.Action,
        AppliedAt = pending.Step,
        Healed = healed,
        Outcome = outcome,
    };

    /// <summary>The loss's growth per step g near the trouble: 1/(1 + √g).</summary>
    private (double, string) GrowthFactor(double loss)
    {
        // A steady climb: the median ratio of successive losses over the last steps (the trouble's loss included).
        var recent = _recent; // this step's loss is its last entry when finite
        var ratios = new List<double>();
        for (int i = 1; i < recent.Count; i++)
            if (recent[i - 1] > 0)
                ratios.Add(recent[i] / recent[i - 1]);
        double perStep = ratios.Count >= 3 ? Median(ratios) : double.NaN;
        if (perStep > 1.05)
            return (1 / (1 + Math.Sqrt(perStep)), FormattableString.Invariant($"the loss's growth per step (x{perStep:G3} over the last {ratios.Count} steps; 1/(1 + √g))"));

        // A single jump: the jump over the loss's level counts as one step's growth.
        double level = _healthy.Count > 0 ? Median(_healthy) : _startLevel ?? double.NaN;
        if (double.IsFinite(loss) && double.IsFinite(level) && level > 0 && loss > level)
        {
            double g = loss / level;
            return (1 / (1 + Math.Sqrt(g)), FormattableString.Invariant($"the loss's jump (x{g:G3} over its level {level:G3}; 1/(1 + √g))"));
        }
        return RatioFactor("the loss is not finite");
    }

    private (double, string) SwingFactor(double swing) =>
        _lastRatios is not null ? RatioFactor("") : (1 / (1 + 2 * swing), FormattableString.Invariant($"the loss's swing ({swing:P0}; 1/(1 + 2·swing))"));

    private (double, string) RatioFactor(string why)
    {
        var ratios = _lastRatios?.Where(r => r is > 0).Select(r => r!.Value).ToList();
        if (ratios is { Count: > 0 })
        {
            double median = Median(ratios);
            return (HealthyUpdateRatio / median, FormattableString.Invariant($"the update-to-weight ratios (median {median:G3} against a healthy {HealthyUpdateRatio:G1})"));
        }
        return (MaxFactor, $"no measurement ({why}): the smallest step, halving");
    }

    private void Remember(double loss)
    {
        if (_firstLosses.Count < 10)
        {
            _firstLosses.Add(loss);
            _startLevel = Median(_firstLosses);
        }
        _healthy.Add(loss);
        if (_healthy.Count > Window)
            _healthy.RemoveAt(0);
    }

    /// <summary>The step-to-step swing as a share of the median, when the loss swings widely over a full window without progress.</summary>
    private double? Oscillation()
    {
        if (_healthy.Count < Window || _startLevel is not double start || start <= 0)
            return null;
        double median = Median(_healthy);
        if (median < NoProgressShare * start)
            return null;
        var steps = new List<double>(Window - 1);
        for (int i = 1; i < _healthy.Count; i++)
            steps.Add(Math.Abs(_healthy[i] - _healthy[i - 1]));
        double swing = Median(steps) / median;
        return swing > SwingShare ? swing : null;
    }

    private static bool AnyPositive(IReadOnlyList<double?> ratios)
    {
        for (int i = 0; i < ratios.Count; i++)
            if (ratios[i] is > 0)
                return true;
        return false;
    }

    private static string Kinds(IReadOnlyList<AnomalyEvent> anomalies) => string.Join(", ", anomalies.Select(a => a.Kind).Distinct());

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
