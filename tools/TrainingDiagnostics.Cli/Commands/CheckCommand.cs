using System.CommandLine;
using TrainingDiagnostics.Cli.Checks;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag check RUN.jsonl... [--fail-on warning|critical] [--format text|json|github]</c>: a CI gate. Judges each run
/// log as the report does (the same rules, one streaming pass per log, memory bounded whatever its length), prints one
/// verdict per log with every finding and its remedy, and exits <see cref="ExitCodes.CheckFailed"/> (5) when any log's
/// verdict is at or above the threshold (default: critical, that is a Failed verdict), <see cref="ExitCodes.Success"/>
/// otherwise. A missing or damaged log is <see cref="ExitCodes.InputError"/>, and nothing is printed on standard output.
/// </summary>
public static class CheckCommand
{
    /// <summary>The values <c>--fail-on</c> accepts.</summary>
    public static IReadOnlyList<string> Thresholds { get; } = ["warning", "critical"];

    /// <summary>The values <c>--format</c> accepts.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["text", "json", "github"];

    /// <summary>Creates the <c>check</c> command.</summary>
    /// <param name="output">Where the verdicts go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var logs = new Argument<string[]>("RUN.jsonl")
        {
            Description = "Run logs (JSON Lines) to judge, each on its own: one verdict per log; the exit code is the worst.",
            Arity = ArgumentArity.OneOrMore,
        };
        var failOn = new Option<string>("--fail-on")
        {
            Description = "Exit 5 when a log's verdict is at or above this level: warning (any warning or critical finding) " +
                "or critical (a critical finding: the verdict Failed).",
            DefaultValueFactory = _ => "critical",
        };
        failOn.AcceptOnlyFromAmong([.. Thresholds]);
        var format = new Option<string>("--format")
        {
            Description = "text (for people), json (one document with every verdict and finding, for programs) or " +
                "github (GitHub Actions annotations: ::error, ::warning, ::notice).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong([.. Formats]);
        var command = new Command("check", "A CI gate: judge run logs as the report does and exit 5 when a verdict is at or above --fail-on.")
        {
            logs,
            failOn,
            format,
        };
        command.SetAction(parse => CommandRunner.Run(error, () => Execute(
            parse.GetValue(logs) ?? [],
            parse.GetValue(failOn) == "warning" ? CheckThreshold.Warning : CheckThreshold.Critical,
            Enum.Parse<CheckFormat>(parse.GetValue(format) ?? "text", ignoreCase: true),
            output)));
        return command;
    }

    private static int Execute(string[] paths, CheckThreshold threshold, CheckFormat format, TextWriter output)
    {
        // Every log is judged before anything is printed: a damaged log fails the command (exit 3) without leaving half
        // a JSON document behind. Each summary is small (the findings), whatever the log's length.
        var checks = new List<RunCheck>(paths.Length);
        foreach (string path in paths)
        {
            ReportSummary summary = RunLogInput.Guard(path, () => HtmlReport.Summarize([Path.GetFullPath(path)]));
            checks.Add(new RunCheck(path, summary, threshold));
        }

        int exitCode = checks.Any(c => c.AtThreshold) ? ExitCodes.CheckFailed : ExitCodes.Success;
        switch (format)
        {
            case CheckFormat.Json:
                CheckJsonWriter.Write(output, checks, threshold, exitCode);
                break;
            case CheckFormat.GitHub:
                GitHubAnnotations.Write(output, checks);
                break;
            default:
                CheckTextWriter.Write(output, checks, threshold);
                break;
        }

        return exitCode;
    }
}
