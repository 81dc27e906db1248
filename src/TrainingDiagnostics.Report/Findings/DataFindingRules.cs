using System.Globalization;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Findings;

/// <summary>
/// Findings from the records of an ML.NET pipeline: the data profiles' own findings (scale spread, non-finite values,
/// constant columns) and the errors of observed fits. Plugged into <see cref="FindingRules"/>, so the verdict counts them.
/// </summary>
public static class DataFindingRules
{
    /// <summary>One finding per finding of every data profile, with the profile's severity (critical or warning).</summary>
    /// <param name="run">The run.</param>
    /// <returns>The findings, in record order.</returns>
    public static IEnumerable<Finding> DataFindings(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (DataProfileRecord profile in run.DataProfiles)
        {
            foreach (DataFinding finding in profile.Findings)
            {
                yield return new Finding
                {
                    Severity = finding.Severity == AnomalySeverity.Critical ? FindingSeverity.Critical : FindingSeverity.Warning,
                    Rule = finding.Rule,
                    Title = finding.Title,
                    Detail = finding.Detail,
                    ModulePath = finding.Column,
                };
            }
        }
    }

    /// <summary>One critical finding per observed pipeline fit that ended in an error.</summary>
    /// <param name="run">The run.</param>
    /// <returns>The findings, in record order.</returns>
    public static IEnumerable<Finding> PipelineErrors(DiagnosticsRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (ObservedFitRecord fit in run.ObservedFits.Where(f => f.Error is not null))
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Critical,
                Rule = "pipeline-error",
                Title = string.Create(CultureInfo.InvariantCulture, $"Pipeline stage '{fit.Name}' failed after {fit.DurationMilliseconds / 1000:F1} s"),
                Detail = fit.Error!,
            };
        }
    }
}
