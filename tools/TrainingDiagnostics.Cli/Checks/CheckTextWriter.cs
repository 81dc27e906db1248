using System.Globalization;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Checks;

/// <summary>Writes the result of <c>tdiag check --format text</c>: per log its verdict, then each finding with its remedy.</summary>
internal static class CheckTextWriter
{
    public static void Write(TextWriter output, IReadOnlyList<RunCheck> checks, CheckThreshold threshold)
    {
        foreach (RunCheck check in checks)
        {
            output.WriteLine(VerdictLine(check));
            foreach (Finding finding in check.Summary.Verdict.Findings)
            {
                string where = string.Concat(
                    finding.Step is long step ? string.Create(CultureInfo.InvariantCulture, $", step {step}") : "",
                    finding.ModulePath is { } module ? $", in {module}" : "");
                output.WriteLine($"  {RunCheck.Word(finding.Severity),-8} {finding.Title} ({finding.Rule}{where})");
                if (finding.Remedy is { } remedy)
                {
                    output.WriteLine($"           fix: {remedy.Text}");
                }
            }
        }

        int failing = checks.Count(c => c.AtThreshold);
        output.WriteLine(failing == 0
            ? $"check passed: no run log at or above --fail-on {RunCheck.Word(threshold)}"
            : string.Create(CultureInfo.InvariantCulture, $"check failed: {failing} of {checks.Count} run log(s) at or above --fail-on {RunCheck.Word(threshold)}"));
    }

    /// <summary>The one line that gives a log's verdict: <c>run.jsonl (run 'digits'): Failed, at or above --fail-on critical</c>.</summary>
    public static string VerdictLine(RunCheck check)
    {
        string threshold = RunCheck.Word(check.Threshold);
        string reached = check.AtThreshold ? $"at or above --fail-on {threshold}" : $"below --fail-on {threshold}";
        string incomplete = check.Summary.IsComplete ? "" : " (the log's last line was cut: a crashed or running training)";
        return $"{check.Path} (run '{check.Summary.Metadata.RunName}'): {check.Summary.Verdict.Label}, {reached}{incomplete}";
    }
}
