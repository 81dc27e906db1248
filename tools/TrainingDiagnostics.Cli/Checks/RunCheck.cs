using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Checks;

/// <summary>The verdict on one run log, and whether it reaches the threshold.</summary>
/// <param name="Path">The log's path as given on the command line.</param>
/// <param name="Summary">What the report would say: metadata, verdict with every finding, counts, completeness.</param>
/// <param name="Threshold">The <c>--fail-on</c> level.</param>
internal sealed record RunCheck(string Path, ReportSummary Summary, CheckThreshold Threshold)
{
    /// <summary>Whether the verdict is at or above <see cref="Threshold"/> (the check fails on this log).</summary>
    public bool AtThreshold => Reaches(Summary.Verdict.Level, Threshold);

    /// <summary>Whether a verdict of <paramref name="level"/> reaches <paramref name="threshold"/>.</summary>
    public static bool Reaches(VerdictLevel level, CheckThreshold threshold) => threshold switch
    {
        CheckThreshold.Warning => level >= VerdictLevel.Warnings,
        _ => level >= VerdictLevel.Failed,
    };

    /// <summary>The lower-case word for a severity in every format: <c>info</c>, <c>warning</c>, <c>critical</c>.</summary>
    public static string Word(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Info => "info",
        FindingSeverity.Warning => "warning",
        _ => "critical",
    };

    /// <summary>The lower-case word for a verdict: <c>healthy</c>, <c>warnings</c>, <c>failed</c>.</summary>
    public static string Word(VerdictLevel level) => level switch
    {
        VerdictLevel.Healthy => "healthy",
        VerdictLevel.Warnings => "warnings",
        _ => "failed",
    };

    /// <summary>The lower-case word for a threshold, as <c>--fail-on</c> takes it.</summary>
    public static string Word(CheckThreshold threshold) => threshold == CheckThreshold.Warning ? "warning" : "critical";
}
