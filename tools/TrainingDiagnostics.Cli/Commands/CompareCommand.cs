using System.CommandLine;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag compare A.jsonl B.jsonl [...] [-o compare.html]</c>: two (or more) runs side by side in one HTML file, streamed:
/// each log is read once, in turn, into the bounded fold its report uses, so memory does not grow with the runs' lengths.
/// </summary>
public static class CompareCommand
{
    /// <summary>The comparison written when <c>-o</c> is not given.</summary>
    public const string DefaultOutput = "compare.html";

    /// <summary>Creates the <c>compare</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var logs = new Argument<string[]>("RUN.jsonl")
        {
            Description = "Two or more run logs (JSON Lines) to compare.",
            Arity = new ArgumentArity(2, 64),
        };
        var outputFile = new Option<string>("--output", "-o")
        {
            Description = "The HTML file to write.",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var title = new Option<string?>("--title") { Description = "The page title (default: the run names)." };
        PathArguments.RequireNames(logs);
        PathArguments.RequireNames(outputFile);
        var command = new Command("compare", "Compare two or more runs side by side: verdicts, losses and gradient norms overlaid, incidents, metadata differences.")
        {
            logs,
            outputFile,
            title,
        };
        command.SetAction(parse => CommandRunner.Run(error, () =>
            Execute(parse.GetValue(logs) ?? [], parse.GetValue(outputFile) ?? DefaultOutput, parse.GetValue(title), output)));
        return command;
    }

    private static int Execute(string[] paths, string comparePath, string? title, TextWriter output)
    {
        PathArguments.CheckOutputFile(comparePath, "--output", paths);
        foreach (string path in paths)
        {
            RunLogInput.ReadHeader(path); // each file checked (a folder, a missing file, no header) before any is read through
        }

        IReadOnlyList<ReportSummary> runs = ReportWriting.StreamCompare(paths, comparePath, new ReportOptions { Title = title }, output);
        ReportWriting.Summarize(output, runs, paths);
        output.WriteLine($"comparison        {Path.GetFullPath(comparePath)}");
        return ExitCodes.Success;
    }
}
