using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Exploding and vanishing gradients and a diverging loss, by robust statistics over a window rather than fixed thresholds.
/// </summary>
/// <remarks>
/// Gradient norms are compared in log10 with the window's median and MAD. Minibatch noise moves a healthy run's norms by
/// several times the median, so a spike must clear both <c>ExplodingThreshold</c> robust deviations and a full decade.
/// A run that turns divergent after a calm start (a learning-rate mistake) is caught by either rule: a spike, or a few
/// consecutive norms half a decade above the median, or a loss that stays well above its recent median while still finite.
/// A loss is diverging only when it also climbs back by a tenth of the level the run started from: a run that drove its
/// loss to nearly zero (a memorized training set) may double it from 1e-5 to 2e-5 without anything going wrong.
/// Each kind has a cooldown so one incident does not flood the log.
/// </remarks>
internal sealed class GradientHealthDetector
{
    private const int Cooldown = 20;
    private const int Sustained = 3;
    private const int MinimumHistory = 3;
    private readonly MonitorOptions _options;
    private readonly RobustWindow _logNorms;
    private readonly RobustWindow _losses;
    private readonly Dictionary<AnomalyKind, long> _lastAlarm = [];
    private int[] _zeroStreak = [];
    private int _highStreak;
    private int _lowStreak;
    private int _lossStreak;
    private double? _startingLoss; // |median| of the first full window of losses: the run's own scale
    private long _observed;

    public GradientHealthDetector(MonitorOptions options)
    {
        _options = options;
        _logNorms = new RobustWindow(options.WindowSize);
        _losses = new RobustWindow(options.WindowSize);
    }

    /// <summary>Observes one healthy-looking step (finite loss and gradients) and returns the alarms it raises.</summary>
    public List<HealthFinding> Observe(long step, double loss, double totalNorm, IReadOnlyList<double?> parameterNorms)
    {
        var findings = new List<HealthFinding>();
        _observed++;
        DeadParameters(step, parameterNorms, findings);

        double logNorm = totalNorm > 0 ? Math.Log10(totalNorm) : double.NegativeInfinity;
        if (_logNorms.Count >= MinimumHistory && _logNorms.Count < _options.WarmupSteps)
        {
            // Warm-up: too few steps for a spread, but a jump of two decades over the first steps' median is no noise
            // (unscaled features or a far too large learning rate blow up within the first few steps).
            var (median, _) = _logNorms.Statistics();
            double early = median + 2.0;
            if (logNorm > early)
                Raise(findings, step, AnomalyKind.ExplodingGradient, totalNorm, Math.Pow(10, early),
                    $"The gradient norm {totalNorm:G4} is {Math.Pow(10, logNorm - median):G3} times the median {Math.Pow(10, median):G4} of the first {_logNorms.Count} steps.");
        }
        else if (_logNorms.Count >= _options.WarmupSteps)
        {
            var (median, spread) = _logNorms.Statistics();
            double robust = Math.Max(spread, 0.05);
            double spike = median + Math.Max(_options.ExplodingThreshold * robust, 1.0);
            double raised = median + Math.Max(3 * robust, 0.5);
            _highStreak = logNorm > raised ? _highStreak + 1 : 0;
            if (logNorm > spike || _highStreak >= Sustained)
            {
                Raise(findings, step, AnomalyKind.ExplodingGradient, totalNorm, Math.Pow(10, logNorm > spike ? spike : raised),
                    logNorm > spike
                        ? $"The gradient norm {totalNorm:G4} is {Math.Pow(10, logNorm - median):G3} times its recent median {Math.Pow(10, median):G4}."
                        : $"The gradient norm has stayed above {Math.Pow(10, raised):G4} (at least 3x its recent median {Math.Pow(10, median):G4}) for {_highStreak} steps.");
            }

            double floor = median - Math.Max(_options.ExplodingThreshold * robust, 2.0);
            _lowStreak = logNorm < floor ? _lowStreak + 1 : 0;
            if (_lowStreak >= Sustained)
            {
                Raise(findings, step, AnomalyKind.VanishingGradient, totalNorm, Math.Pow(10, floor),
                    $"The gradient norm {totalNorm:G4} has stayed more than 100 times below its recent median {Math.Pow(10, median):G4} for {_lowStreak} steps.");
            }
        }

        if (_losses.Count >= _options.WarmupSteps && double.IsFinite(loss))
        {
            var (median, spread) = _losses.Statistics();
            _startingLoss ??= Math.Abs(median);
            double limit = median + Math.Max(Math.Max(6 * spread, Math.Abs(median)), 0.1 * _startingLoss.Value);
            _lossStreak = loss > limit ? _lossStreak + 1 : 0;
            if (_lossStreak >= Sustained)
            {
                Raise(findings, step, AnomalyKind.DivergingLoss, loss, limit,
                    $"The loss {loss:G4} has stayed above {limit:G4} (its recent median {median:G4} plus six robust deviations, at least double, and a tenth of its starting level higher) for {_lossStreak} steps.");
            }
        }

        // Alarmed values stay out of the baseline, so one incident does not become the new normal at once.
        if (findings.All(f => f.Kind != AnomalyKind.ExplodingGradient && f.Kind != AnomalyKind.VanishingGradient || f.ParameterIndices.Count > 0))
            _logNorms.Add(logNorm);
        if (findings.All(f => f.Kind != AnomalyKind.DivergingLoss))
            _losses.Add(loss);
        return findings;
    }

    private void DeadParameters(long step, IReadOnlyList<double?> norms, List<HealthFinding> findings)
    {
        if (_zeroStreak.Length != norms.Count)
            _zeroStreak = new int[norms.Count];
        var dead = new List<int>();
        for (int i = 0; i < norms.Count; i++)
        {
            _zeroStreak[i] = norms[i] == 0 ? _zeroStreak[i] + 1 : 0;
            if (_zeroStreak[i] >= _options.DeadGradientSteps)
                dead.Add(i);
        }
        if (dead.Count > 0)
            Raise(findings, step, AnomalyKind.VanishingGradient, 0, 0,
                $"{dead.Count} parameter tensor(s) have had exactly zero gradient for at least {_options.DeadGradientSteps} steps.", dead);
    }

    private void Raise(List<HealthFinding> findings, long step, AnomalyKind kind, double value, double threshold, string message, IReadOnlyList<int>? parameters = null)
    {
        if (_lastAlarm.TryGetValue(kind, out long last) && step - last < Cooldown && step >= last)
            return;
        _lastAlarm[kind] = step;
        findings.Add(new HealthFinding(kind, value, threshold, message, parameters ?? []));
    }
}
