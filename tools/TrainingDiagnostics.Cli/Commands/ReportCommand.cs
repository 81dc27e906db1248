using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag report RUN.jsonl... [-o report.html] [--title TEXT]</c>: renders one run log as an HTML report. Several
/// logs become one report: the per-rank logs of one distributed run (each with its rank in the metadata, or a
/// <c>rank</c> tag in older logs, and the same run name) are merged into one run; other runs are shown side by side,
/// as <c>compare</c> does.
/// </summary>
public static class ReportCommand
{
    /// <summary>The report written when <c>-o</c> is not given.</summary>
    public const string DefaultOutput = "report.html";

    /// <summary>Creates the <c>report</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var logs = new Argument<string[]>("RUN.jsonl")
        {
            Description = "Run logs (JSON Lines) to render: one run, the per-rank logs of one distributed run, or several runs.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outputFile = new Option<string>("--output", "-o")
        {
            Description = "The HTML file to write.",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var title = new Option<string?>("--title") { Description = "The report's title (default: from the run name)." };
        PathArguments.RequireNames(logs);
        PathArguments.RequireNames(outputFile);
        var command = new Command("report", "Render run logs as one self-contained HTML report (verdict, loss, gradient heatmap, incidents).")
        {
            logs,
            outputFile,
            title,
        };
        command.SetAction(parse => CommandRunner.Run(error, () =>
            Execute(parse.GetValue(logs) ?? [], parse.GetValue(outputFile) ?? DefaultOutput, parse.GetValue(title), output)));
        return command;
    }

    private static int Execute(string[] paths, string reportPath, string? title, TextWriter output)
    {
        PathArguments.CheckOutputFile(reportPath, "--output", paths);

        // Headers first (each file checked, one line read): they decide between one streamed report and a comparison.
        List<RunMetadata> headers = paths.Select(RunLogInput.ReadHeader).ToList();
        var options = new ReportOptions { Title = title };
        string full = Path.GetFullPath(reportPath);
        if (paths.Length == 1 || RankLogs.AreRanksOfOneRun(headers))
        {
            if (paths.Length > 1)
            {
                RunMetadata merged = RankLogs.MergedMetadata(headers);
                output.WriteLine($"merged {paths.Length} per-rank logs of '{merged.RunName}' (ranks {merged.Tags[RankLogs.RanksTag]})");
                if (merged.WorldSize is int worldSize && worldSize > paths.Length)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"warning: the world size is {worldSize} but only {paths.Length} rank logs were given; the report shows those ranks only."));
                }
            }

            ReportSummary summary = ReportWriting.Stream(paths, reportPath, options, output);
            ReportWriting.Summarize(output, summary, paths.Length == 1 ? paths[0] : string.Join(", ", paths));
        }
        else
        {
            IReadOnlyList<ReportSummary> runs = ReportWriting.StreamCompare(paths, reportPath, options, output);
            ReportWriting.Summarize(output, runs, paths);
        }

        output.WriteLine($"report            {full}");
        return ExitCodes.Success;
    }
}
