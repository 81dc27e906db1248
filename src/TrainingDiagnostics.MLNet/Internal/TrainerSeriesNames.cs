using System.Text;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// The names of trainer series: a short prefix per ML.NET calculation (one table, from the names ML.NET 5's trainers give
/// their progress channels) and the metric's name in lower case with underscores: <c>sdca/duality_gap</c>.
/// A calculation not in the table keeps its own name, so a trainer this library has never seen still gets its curves.
/// </summary>
internal static class TrainerSeriesNames
{
    private static readonly Dictionary<string, string> Prefixes = new(StringComparer.Ordinal)
    {
        ["SDCA training"] = "sdca",            // SdcaMaximumEntropy, SdcaNonCalibrated, SdcaLogisticRegression, Sdca (regression)
        ["LBFGS Optimizer"] = "lbfgs",         // LbfgsMaximumEntropy, LbfgsLogisticRegression, LbfgsPoissonRegression
        ["SGD Training"] = "sgd",              // SgdCalibrated, SgdNonCalibrated
        ["KMeansTrain"] = "kmeans",            // KMeans
        ["Training with LightGBM"] = "lightgbm",
    };

    /// <summary>The prefix of a calculation: from the table, <c>ffm</c> for the factorization machine (a calculation named
    /// <c>Training</c> that reports <c>Training-loss</c>), else the calculation's own name as a slug.</summary>
    public static string Prefix(string calculation, IReadOnlyList<string> metricNames)
    {
        if (Prefixes.TryGetValue(calculation, out string? prefix))
        {
            return prefix;
        }

        return calculation == "Training" && metricNames.Contains("Training-loss") ? "ffm" : Slug(calculation);
    }

    /// <summary>Lower case, every run of other characters than letters and digits one underscore, none at the ends:
    /// <c>Sparsity (L1)</c> gives <c>sparsity_l1</c>.</summary>
    public static string Slug(string name)
    {
        var slug = new StringBuilder(name.Length);
        foreach (char c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '_')
            {
                slug.Append('_');
            }
        }

        string text = slug.ToString().TrimEnd('_');
        return text.Length == 0 ? "value" : text;
    }
}
