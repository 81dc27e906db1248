using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// What the comparison shows of a run beyond its report's view (it rides along with <see cref="RunFold"/>, one per run):
/// the total gradient norm and the learning rate of each step, kept as compact columns (the step, 8 bytes; each value,
/// 9 bytes with whether it was recorded; the learning rate only once a step recorded one) so that their lines downsample
/// exactly as the loss does, the lowest finite loss, and the range of steps the run's steps and metrics cover.
/// </summary>
internal sealed class CompareFold : IRunFold
{
    private readonly List<long> _steps = [];
    private readonly List<double> _norms = [];
    private readonly List<bool> _normKnown = [];
    private List<double>? _rates;
    private List<bool>? _rateKnown;
    private double _lowestLoss = double.PositiveInfinity;
    private long _min = long.MaxValue, _max = long.MinValue;

    public void Step(StepRecord step, int[] rows, long index)
    {
        _steps.Add(step.Step);
        (_min, _max) = (Math.Min(_min, step.Step), Math.Max(_max, step.Step));
        if (double.IsFinite(step.Loss))
        {
            _lowestLoss = Math.Min(_lowestLoss, step.Loss);
        }

        double? norm = GradientNorm.Total(step);
        _norms.Add(norm ?? 0);
        _normKnown.Add(norm is not null);
        if (step.LearningRate is not null && _rates is null)
        {
            _rates = new List<double>(_steps.Capacity);
            _rateKnown = new List<bool>(_steps.Capacity);
            for (int i = 0; i < _steps.Count - 1; i++)
            {
                _rates.Add(0);
                _rateKnown.Add(false);
            }
        }

        if (_rates is not null)
        {
            _rates.Add(step.LearningRate ?? 0);
            _rateKnown!.Add(step.LearningRate is not null);
        }
    }

    public void Metric(MetricRecord metric) => (_min, _max) = (Math.Min(_min, metric.Step), Math.Max(_max, metric.Step));

    /// <summary>
    /// The run as the comparison shows it, the <paramref name="index"/>-th of its runs (its colour, its element ids): its
    /// verdict, incidents, loss, gradient-norm and learning-rate lines (downsampled to about <paramref name="maxPoints"/>,
    /// the gradient norm keeping the incident steps) and key numbers.
    /// </summary>
    public ComparedRun Finish(RunView run, int index, int maxPoints)
    {
        string name = run.Metadata.RunName, css = Invariant($"series s{index % MetricSeries.Colours}"), prefix = Invariant($"r{index}-");
        long[] steps = _steps.ToArray();
        ChartSeries norms = ChartSeries.Build(name, css, steps, Column(_norms, _normKnown), maxPoints, run.Incidents.Steps.ToHashSet());
        ChartSeries? rates = _rates is null ? null : ChartSeries.Build(name, css, steps, Column(_rates, _rateKnown!), maxPoints, new HashSet<long>());
        return new ComparedRun
        {
            Run = run,
            Index = index,
            IdPrefix = prefix,
            Verdict = Findings.FindingRules.Evaluate(run),
            Incidents = IncidentMark.Index(run, prefix),
            Loss = run.Steps.Loss with { Name = name, CssClass = css },
            GradientNorm = norms,
            LearningRate = rates,
            FinalLoss = run.Steps.Count == 0 ? null : run.Steps.LastLoss,
            LowestLoss = double.IsFinite(_lowestLoss) ? _lowestLoss : null,
            LastMetrics = run.Metrics.Where(m => m.Direction != MetricDirection.Unknown).Select(m => (m.Name, m.Values[^1])).ToList(),
            StepRange = _min > _max ? null : (_min, _max),
        };
    }

    private static double?[] Column(List<double> values, List<bool> known)
    {
        var column = new double?[values.Count];
        for (int i = 0; i < column.Length; i++)
        {
            column[i] = known[i] ? values[i] : null;
        }

        return column;
    }
}
