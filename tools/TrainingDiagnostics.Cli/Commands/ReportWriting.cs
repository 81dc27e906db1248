using System.Globalization;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>What <c>report</c> and <c>compare</c> share: reading the logs with progress, writing the HTML, the summary lines.</summary>
internal static class ReportWriting
{
    /// <summary>
    /// Renders the log(s) as one report in one streaming pass, with a progress bar by bytes read (plain lines every
    /// tenth in CI and when the output is not a terminal).
    /// </summary>
    public static ReportSummary Stream(IReadOnlyList<string> paths, string reportPath, ReportOptions options, TextWriter output) =>
        Streamed(paths, reportPath, output, paths.Count == 1 ? "the run log" : $"{paths.Count} rank logs",
            $"'{(paths.Count == 1 ? paths[0] : string.Join(", ", paths))}' is not a readable run log",
            (full, progress) => HtmlReport.WriteLogs(paths, full, options, progress));

    /// <summary>
    /// Renders the logs as one comparison, streaming (one log after the other, each in one pass), with a progress bar by
    /// bytes read over all of them.
    /// </summary>
    public static IReadOnlyList<ReportSummary> StreamCompare(IReadOnlyList<string> paths, string comparePath, ReportOptions options, TextWriter output) =>
        Streamed(paths, comparePath, output, $"{paths.Count} run logs", "a run log is not readable",
            (full, progress) => HtmlReport.CompareLogs(paths, full, options, progress));

    private static T Streamed<T>(IReadOnlyList<string> paths, string outputPath, TextWriter output, string inputs, string unreadable, Func<string, IProgress<double>, T> render)
    {
        string full = Path.GetFullPath(outputPath);
        long bytes = paths.Sum(p => new FileInfo(p).Length);
        string what = string.Create(CultureInfo.InvariantCulture, $"reading {inputs} ({Size(bytes)}) and rendering");
        try
        {
            return ProgressReporter.For(output).Run(what, 100, report =>
            {
                int tenth = 0;
                var progress = new InlineProgress(share =>
                {
                    int now = (int)(share * 10);
                    string? status = null;
                    if (now > tenth)
                    {
                        tenth = now;
                        status = string.Create(CultureInfo.InvariantCulture, $"{now * 10}% ({Size((long)(share * bytes))} of {Size(bytes)})");
                    }

                    report(share * 100, status);
                });
                return render(full, progress);
            });
        }
        catch (InvalidDataException ex)
        {
            throw new CommandException(ExitCodes.InputError, $"{unreadable}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The inputs were opened and their headers read already: what fails now is the output.
            throw new CommandException(ExitCodes.OutputError, $"cannot write the report '{full}': {ex.Message}", ex);
        }
    }

    /// <summary>The verdict line of a streamed report; a warning for a log cut mid-line.</summary>
    public static void Summarize(TextWriter output, ReportSummary summary, string source)
    {
        Finding? top = summary.Verdict.Findings.FirstOrDefault();
        output.WriteLine($"{"verdict",-17} {summary.Verdict.Label}{(top is null ? "" : ": " + top.Title)}");
        if (!summary.IsComplete)
        {
            output.WriteLine($"warning: '{source}' is incomplete: its last line was cut (a crashed or running training); every step before it is shown.");
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
    };

    public static void Write(string path, TextWriter output, Action<string> render)
    {
        string full = Path.GetFullPath(path);
        try
        {
            ProgressReporter.For(output).Run("rendering the report", 1, report =>
            {
                render(full);
                report(1, null);
                return 0;
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot write the report '{full}': {ex.Message}", ex);
        }
    }

    /// <summary>One line per run: its verdict and most important finding; a warning for a log cut mid-line.</summary>
    public static void Summarize(TextWriter output, IReadOnlyList<ReportSummary> runs, IReadOnlyList<string> sources)
    {
        for (int i = 0; i < runs.Count; i++)
        {
            Finding? top = runs[i].Verdict.Findings.FirstOrDefault();
            string name = runs.Count == 1 ? "verdict" : runs[i].Metadata.RunName;
            output.WriteLine($"{name,-17} {runs[i].Verdict.Label}{(top is null ? "" : ": " + top.Title)}");
            if (!runs[i].IsComplete)
            {
                output.WriteLine($"warning: '{sources[i]}' is incomplete: its last line was cut (a crashed or running training); every step before it is shown.");
            }
        }
    }
}
