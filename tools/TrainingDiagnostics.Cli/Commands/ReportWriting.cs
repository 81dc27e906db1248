using System.Globalization;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>What <c>report</c> and <c>compare</c> share: reading the logs with progress, writing the HTML, the summary lines.</summary>
internal static class ReportWriting
{
    public static List<DiagnosticsRun> ReadAll(IReadOnlyList<string> paths, TextWriter output) =>
        ProgressReporter.For(output).Run("reading run logs", paths.Count, report =>
        {
            var runs = new List<DiagnosticsRun>(paths.Count);
            for (int i = 0; i < paths.Count; i++)
            {
                DiagnosticsRun run = RunLogInput.Read(paths[i]);
                runs.Add(run);
                report(i + 1, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(paths[i])}: {run.Steps.Count} steps, {run.Anomalies.Count} incident(s)"));
            }

            return runs;
        });

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
    public static void Summarize(TextWriter output, IReadOnlyList<DiagnosticsRun> runs, IReadOnlyList<string> sources)
    {
        for (int i = 0; i < runs.Count; i++)
        {
            RunVerdict verdict = FindingRules.Evaluate(runs[i]);
            Finding? top = verdict.Findings.FirstOrDefault();
            string name = runs.Count == 1 ? "verdict" : runs[i].Metadata.RunName;
            output.WriteLine($"{name,-17} {verdict.Label}{(top is null ? "" : ": " + top.Title)}");
            if (!runs[i].IsComplete)
            {
                output.WriteLine($"warning: '{sources[i]}' is incomplete: its last line was cut (a crashed or running training); every step before it is shown.");
            }
        }
    }
}
