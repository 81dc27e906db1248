namespace TrainingDiagnostics.Report.Analysis;

/// <summary>
/// Reads what a user-chosen metric name means: which way it improves (a table of the field's usual words) and
/// whether it is a loss, which the report draws on the training loss's chart.
/// </summary>
internal static class MetricNames
{
    private static readonly Dictionary<string, MetricDirection> Table = new(StringComparer.Ordinal)
    {
        ["loss"] = MetricDirection.LowerIsBetter,
        ["error"] = MetricDirection.LowerIsBetter,
        ["err"] = MetricDirection.LowerIsBetter,
        ["perplexity"] = MetricDirection.LowerIsBetter,
        ["ppl"] = MetricDirection.LowerIsBetter,
        ["nll"] = MetricDirection.LowerIsBetter,
        ["mse"] = MetricDirection.LowerIsBetter,
        ["mae"] = MetricDirection.LowerIsBetter,
        ["rmse"] = MetricDirection.LowerIsBetter,
        ["wer"] = MetricDirection.LowerIsBetter,
        ["cer"] = MetricDirection.LowerIsBetter,
        ["accuracy"] = MetricDirection.HigherIsBetter,
        ["acc"] = MetricDirection.HigherIsBetter,
        ["top1"] = MetricDirection.HigherIsBetter,
        ["top5"] = MetricDirection.HigherIsBetter,
        ["f1"] = MetricDirection.HigherIsBetter,
        ["precision"] = MetricDirection.HigherIsBetter,
        ["recall"] = MetricDirection.HigherIsBetter,
        ["auc"] = MetricDirection.HigherIsBetter,
        ["auroc"] = MetricDirection.HigherIsBetter,
        ["iou"] = MetricDirection.HigherIsBetter,
        ["miou"] = MetricDirection.HigherIsBetter,
        ["map"] = MetricDirection.HigherIsBetter,
        ["bleu"] = MetricDirection.HigherIsBetter,
        ["rouge"] = MetricDirection.HigherIsBetter,
        ["dice"] = MetricDirection.HigherIsBetter,
        ["r2"] = MetricDirection.HigherIsBetter,
        ["score"] = MetricDirection.HigherIsBetter,
    };

    /// <summary>
    /// The direction named by the last word of <paramref name="name"/> the table knows (words are split at anything
    /// but letters and digits, case-insensitive): <c>validation/accuracy</c> and <c>val_acc</c> are higher-is-better,
    /// <c>validation/loss</c> and <c>eval.error</c> lower-is-better, <c>throughput</c> unknown.
    /// </summary>
    public static MetricDirection Direction(string name)
    {
        MetricDirection direction = MetricDirection.Unknown;
        foreach (string word in Split(name))
        {
            if (Table.TryGetValue(word, out MetricDirection known))
            {
                direction = known;
            }
        }

        return direction;
    }

    /// <summary>Whether the metric is a loss (its last known word is <c>loss</c>), comparable with the training loss on one axis.</summary>
    public static bool IsLoss(string name) =>
        Split(name).LastOrDefault(Table.ContainsKey) == "loss";

    private static IEnumerable<string> Split(string name)
    {
        int start = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || !char.IsAsciiLetterOrDigit(name[i]))
            {
                if (i > start)
                {
                    yield return name[start..i].ToLowerInvariant();
                }

                start = i + 1;
            }
        }
    }
}
