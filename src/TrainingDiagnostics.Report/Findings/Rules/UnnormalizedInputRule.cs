using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Unnormalized input (warning, or critical as its judge says): the input's feature scales span orders of magnitude or sit far
/// from zero. The judgement is made once, in Model, by the judge that both the monitor's input profile (the
/// <see cref="InstrumentMetricNames.InputProfile"/> data profile, taken on the first batches) and ML.NET's <c>ProfileData</c>
/// stage use; this rule places it at <c>input</c>, from the first step, with the evidence of the profile's columns and the
/// remedy to standardize. One finding however many profiles agree.
/// </summary>
internal sealed class UnnormalizedInputRule : FindingRule
{
    public const string RuleId = "unnormalized-input";

    /// <summary>The place of an input problem, as the monitor's incidents name the batch.</summary>
    public const string Place = "input";

    public override string Id => RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        var found = run.DataProfiles
            .SelectMany(p => p.Findings.Where(f => f.Rule == RuleId).Select(f => (Profile: p, Finding: f)))
            .OrderBy(x => x.Profile.Name == InstrumentMetricNames.InputProfile ? 0 : 1)
            .ToList();
        if (found.Count == 0)
        {
            yield break;
        }

        (DataProfileRecord profile, DataFinding finding) = found[0];
        string others = found.Count > 1 ? Invariant($" ({found.Count - 1} other profile(s) agree: {string.Join(", ", found.Skip(1).Select(x => x.Profile.Name).Distinct())}.)") : "";
        yield return new Finding
        {
            Severity = found.Any(x => x.Finding.Severity == AnomalySeverity.Critical) ? FindingSeverity.Critical : FindingSeverity.Warning,
            Rule = Id,
            Title = finding.Title,
            Detail = string.Join(" ", new[] { finding.Detail, Scales(profile) }.Where(t => t.Length > 0)) + others,
            Step = run.Steps.FirstStep,
            ModulePath = Place,
            Remedy = new Remedy
            {
                Action = RemedyActions.StandardizeInputs,
                Target = Place,
                Text = "Standardize each input feature: subtract its mean and divide by its standard deviation, both measured once on the training data and applied to every batch (in ML.NET, NormalizeMeanVariance before the trainer).",
            },
        };
    }

    /// <summary>The profile's largest and smallest typical magnitudes (root mean square: mean and spread together), as evidence.</summary>
    private static string Scales(DataProfileRecord profile)
    {
        var magnitudes = profile.Columns
            .Select(c => (c.Name, c.Mean, Std: c.StandardDeviation, Rms: Math.Sqrt((c.Mean * c.Mean) + (c.StandardDeviation * c.StandardDeviation))))
            .Where(c => double.IsFinite(c.Rms) && c.Rms > 0)
            .OrderByDescending(c => c.Rms)
            .ToList();
        if (magnitudes.Count < 2)
        {
            return "";
        }

        string Describe((string Name, double Mean, double Std, double Rms) c) => Invariant($"{c.Name} (mean {Format(c.Mean)}, std {Format(c.Std)})");
        string spread = double.IsFinite(profile.ScaleSpread) ? Invariant($"; typical magnitudes span a factor of {Format(profile.ScaleSpread)}") : "";
        return Invariant($"In the '{profile.Name}' profile ({profile.RowCount} rows{spread}), the largest feature is {Describe(magnitudes[0])} and the smallest {Describe(magnitudes[^1])}.");
    }
}
