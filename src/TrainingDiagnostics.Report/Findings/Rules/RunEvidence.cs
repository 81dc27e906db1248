using TrainingDiagnostics.Report.Analysis;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>Readings of the view that several rules share: weight parameters, their update ratios, the held-out metrics, the loss's fall.</summary>
internal static class RunEvidence
{
    /// <summary>
    /// The usual rule of thumb for a healthy step: an update moves a weight matrix by about a thousandth of its norm
    /// (much less: the run crawls; much more: it jumps around its minimum or out of it).
    /// </summary>
    public const double HealthyUpdateRatio = 1e-3;

    /// <summary>
    /// Where a learning-rate remedy aims the weights' update ratio: 3e-3, the middle (on a log scale) of the healthy band from
    /// <see cref="HealthyUpdateRatio"/> to ten times it; the healthy runs the rules were checked on sat at 4e-3 to 9e-3. Aiming at
    /// the band's lower edge would leave a crawling run crawling just above the threshold.
    /// </summary>
    public const double TargetUpdateRatio = 3e-3;

    /// <summary>
    /// Where a remedy for a crawling run aims the update ratio: 1e-2, the top of the healthy band. A crawl raised only to the
    /// band's middle stayed below the healthy runs (4e-3 to 9e-3) and ended short of their accuracy (digits, Adam at 1e-5:
    /// x40 gave 0.85 against 0.97); an overshoot past the band would show at once as a swinging loss, which its own rule catches.
    /// </summary>
    public const double RaiseTargetUpdateRatio = 1e-2;

    /// <summary>
    /// A loss that fell by less than a quarter of its starting level over the whole run has not really trained: the healthy runs
    /// the rules were checked on fall by 60 % to 99 % within a few epochs.
    /// </summary>
    public const double StalledFall = 0.25;

    /// <summary>Words that mark a metric as measured on the training data, not on held-out data.</summary>
    private static readonly string[] TrainingWords = ["train", "training"];

    /// <summary>The module that owns a parameter: its name less the last segment (<c>encoder.fc1.weight</c> -> <c>encoder.fc1</c>).</summary>
    public static string Owner(string parameter)
    {
        int dot = parameter.LastIndexOf('.');
        return dot < 0 ? parameter : parameter[..dot];
    }

    /// <summary>The weight matrices' rows (names whose last segment holds "weight"), in parameter order; every row when none is named so.</summary>
    public static IReadOnlyList<LayerGradientSummary> WeightLike(ParametersView parameters)
    {
        var weights = parameters.Rows.Where(r => IsWeight(r.Name)).ToList();
        return weights.Count > 0 ? weights : parameters.Rows;
    }

    /// <summary>Whether the parameter's last name segment holds "weight" (biases, norms' shifts and the like move differently).</summary>
    public static bool IsWeight(string name) =>
        name[(name.LastIndexOf('.') + 1)..].Contains("weight", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The median over the weight parameters of each one's median update-to-weight ratio, leaving out parameters that never moved
    /// (ratio 0: frozen or without gradient, which other rules name); null when no ratio was recorded.
    /// </summary>
    public static (double Median, int Parameters)? WeightUpdateRatio(RunView run)
    {
        double[] ratios = WeightLike(run.Parameters)
            .Select(r => r.MedianUpdateRatio)
            .OfType<double>()
            .Where(r => r > 0 && double.IsFinite(r))
            .ToArray();
        return Median.Of(ratios) is double median ? (median, ratios.Length) : null;
    }

    /// <summary>How much the training loss fell, as a share of its start (means of the first and last tenth); null without a trend.</summary>
    public static double? LossFall(RunView run) =>
        run.Steps.LossTrend is { } trend && trend.Start > 0 ? (trend.Start - trend.End) / trend.Start : null;

    /// <summary>
    /// The held-out loss: a metric whose name reads as a loss and not as a training one, the one naming held-out data
    /// (<c>val</c>, <c>validation</c>, <c>eval</c>, <c>test</c>...) first; null when the run recorded none.
    /// </summary>
    public static MetricHistory? HeldOutLoss(RunView run) =>
        HeldOut(run.Metrics.Where(m => MetricNames.IsLoss(m.Name)));

    /// <summary>A held-out score (a higher-is-better metric, an accuracy first), or null.</summary>
    public static MetricHistory? HeldOutScore(RunView run) =>
        HeldOut(run.Metrics.Where(m => m.Direction == MetricDirection.HigherIsBetter)
            .OrderBy(m => m.Name.Contains("acc", StringComparison.OrdinalIgnoreCase) ? 0 : 1));

    /// <summary>The finite values of a metric with their steps, in step order.</summary>
    public static (long Step, double Value)[] Finite(MetricHistory metric) =>
        metric.Steps.Zip(metric.Values).Where(p => double.IsFinite(p.Second)).ToArray();

    /// <summary>The value of a metric at or just before <paramref name="step"/> (the first value when all come later), or null without finite values.</summary>
    public static double? ValueAt(MetricHistory metric, long step)
    {
        var values = Finite(metric);
        if (values.Length == 0)
        {
            return null;
        }

        var before = values.Where(v => v.Step <= step).ToArray();
        return before.Length > 0 ? before[^1].Value : values[0].Value;
    }

    private static MetricHistory? HeldOut(IEnumerable<MetricHistory> candidates) =>
        candidates
            .Where(m => !Words(m.Name).Any(w => TrainingWords.Contains(w)))
            .OrderBy(m => Words(m.Name).Any(w => w is "val" or "valid" or "validation" or "eval" or "evaluation" or "test" or "dev" or "holdout") ? 0 : 1)
            .FirstOrDefault();

    private static IEnumerable<string> Words(string name) =>
        System.Text.RegularExpressions.Regex.Split(name.ToLowerInvariant(), "[^a-z0-9]+").Where(w => w.Length > 0);
}
