using System.Globalization;
using System.Text;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Checks;

/// <summary>
/// Writes the result of <c>tdiag check --format github</c>: one GitHub Actions workflow command per finding
/// (<c>::error</c> for critical, <c>::warning</c> for warning, <c>::notice</c> for info), which the runner turns into an
/// annotation on the run's summary page, then one plain verdict line per log. Values are escaped as the runner requires:
/// in the message <c>%</c>, CR and LF; in a property (the title) also <c>:</c> and <c>,</c>.
/// </summary>
internal static class GitHubAnnotations
{
    public static void Write(TextWriter output, IReadOnlyList<RunCheck> checks)
    {
        foreach (RunCheck check in checks)
        {
            string run = check.Summary.Metadata.RunName;
            foreach (Finding finding in check.Summary.Verdict.Findings)
            {
                output.WriteLine(Command(finding.Severity, $"{run}: {finding.Title}", Message(check.Path, finding)));
            }
        }

        foreach (RunCheck check in checks)
        {
            output.WriteLine(CheckTextWriter.VerdictLine(check));
        }
    }

    /// <summary>One workflow command: <c>::error title=TITLE::MESSAGE</c> (and <c>warning</c>, <c>notice</c>), escaped.</summary>
    public static string Command(FindingSeverity severity, string title, string message)
    {
        string command = severity switch
        {
            FindingSeverity.Critical => "error",
            FindingSeverity.Warning => "warning",
            _ => "notice",
        };
        return $"::{command} title={EscapeProperty(title)}::{EscapeData(message)}";
    }

    /// <summary>Escapes a command's message (data): <c>%</c> as <c>%25</c>, CR as <c>%0D</c>, LF as <c>%0A</c>.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>Escapes a command's property value: as <see cref="EscapeData"/>, and <c>:</c> as <c>%3A</c>, <c>,</c> as <c>%2C</c>.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value)
            .Replace(":", "%3A", StringComparison.Ordinal)
            .Replace(",", "%2C", StringComparison.Ordinal);

    private static string Message(string path, Finding finding)
    {
        var text = new StringBuilder(finding.Detail.Length == 0 ? finding.Title : finding.Detail);
        if (finding.Remedy is { } remedy)
        {
            text.Append("\nFix: ").Append(remedy.Text);
        }

        text.Append("\n(").Append(finding.Rule);
        if (finding.Step is long step)
        {
            text.Append(CultureInfo.InvariantCulture, $", step {step}");
        }

        if (finding.ModulePath is { } module)
        {
            text.Append(", in ").Append(module);
        }

        text.Append("; ").Append(path).Append(')');
        return text.ToString();
    }
}
