using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag demo [--epochs N] [--out DIR]</c>: trains a small MLP on the bundled digits dataset on the
/// CPU, records every step, and writes <c>run.jsonl</c> and <c>report.html</c>.
/// </summary>
public static class DemoCommand
{
    /// <summary>The file name of the run log written into the output folder.</summary>
    public const string RunLogFileName = "run.jsonl";

    /// <summary>The file name of the HTML report written into the output folder.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>Creates the <c>demo</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new DemoSettings();
        var epochs = new Option<int>("--epochs", "-e")
        {
            Description = "Number of passes over the training images.",
            DefaultValueFactory = _ => defaults.Epochs,
        };
        epochs.Validators.Add(result =>
        {
            // A token that is not an integer already has its own parse error; only range-check numbers.
            if (result.Tokens.Count != 1
                || !int.TryParse(result.Tokens[0].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            {
                return;
            }

            if (value is < 1 or > 10_000)
            {
                result.AddError($"--epochs must be between 1 and 10000, got {value}.");
            }
        });
        var outDir = new Option<string>("--out", "-o")
        {
            Description = "Folder for run.jsonl and report.html (created if missing).",
            DefaultValueFactory = _ => defaults.OutputDirectory,
        };

        var command = new Command("demo", "Train a small MLP on the digits dataset, record every step, write the run log and an HTML report.")
        {
            epochs,
            outDir,
        };
        command.SetAction(parse => CommandRunner.Run(error, () => Execute(
            defaults with { Epochs = parse.GetValue(epochs), OutputDirectory = parse.GetValue(outDir) ?? defaults.OutputDirectory },
            output)));
        return command;
    }

    private static int Execute(DemoSettings settings, TextWriter output)
    {
        string folder = Path.GetFullPath(settings.OutputDirectory);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot create the output folder '{folder}': {ex.Message}", ex);
        }

        DigitsDataset data = DigitsDataset.Load(settings.DatasetPath);
        string runLogPath = Path.Combine(folder, RunLogFileName);
        string reportPath = Path.Combine(folder, ReportFileName);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tdiag demo: training MLP 64-32-10 on {data.Count} digits images for {settings.Epochs} epoch(s), seed {settings.Seed}"));
        DemoResult result;
        try
        {
            result = DigitsDemo.Train(settings, data, runLogPath, output.WriteLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot write the run log '{runLogPath}': {ex.Message}", ex);
        }

        // The report is rendered from the log as written, the way `tdiag report` will.
        DiagnosticsRun run = RunLogReader.Read(runLogPath);
        try
        {
            HtmlReport.Write(run, reportPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot write the report '{reportPath}': {ex.Message}", ex);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            steps             {result.Steps} in {result.TrainingTime.TotalSeconds:F1} s
            loss              {result.FirstLoss:F4} (first step) -> {result.FinalLoss:F4} (last step)
            train accuracy    {result.TrainAccuracy:P1} of {result.TrainCount} images
            held-out accuracy {result.HeldOutAccuracy:P1} of {result.HeldOutCount} images
            run log           {runLogPath}
            report            {reportPath}
            """));
        return ExitCodes.Success;
    }
}
