using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag demo [--fault none|batchnorm|lr|data|sqrt] [--epochs N] [--out DIR] [--open]</c>: trains a small MLP on
/// the bundled digits dataset on the CPU under the training monitor, optionally with a planted fault, and writes
/// <c>run.jsonl</c> and <c>report.html</c>.
/// </summary>
public static class DemoCommand
{
    /// <summary>The file name of the run log written into the output folder.</summary>
    public const string RunLogFileName = "run.jsonl";

    /// <summary>The file name of the HTML report written into the output folder.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>The values <c>--fault</c> accepts.</summary>
    public static IReadOnlyList<string> Faults { get; } = Enum.GetValues<DemoFault>().Select(DigitsDemo.Name).ToArray();

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
        var fault = new Option<string>("--fault", "-f")
        {
            Description = "Plant a fault to see the monitor find it: batchnorm (a batch of one image through BatchNorm1d), " +
                "lr (learning rate x1000 after a calm start), data (a NaN pixel), sqrt (a custom layer's sqrt at 0).",
            DefaultValueFactory = _ => DigitsDemo.Name(DemoFault.None),
        };
        fault.AcceptOnlyFromAmong([.. Faults]);
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser when done." };
        var mlnet = new Option<bool>("--mlnet")
        {
            Description = "Run the same job as an ML.NET pipeline (ProfileData, NormalizeMinMax, FlagNonFinite, TorchModule trainer); " +
                "the report gains Data and Pipeline sections. Faults: data, batchnorm, sqrt (lr is not available).",
        };

        PathArguments.RequireNames(outDir);
        var command = new Command("demo", "Train a small MLP on the digits dataset under the training monitor, write the run log and an HTML report.")
        {
            epochs,
            outDir,
            fault,
            open,
            mlnet,
        };
        command.SetAction(parse => CommandRunner.Run(error, () => Execute(
            defaults with
            {
                Epochs = parse.GetValue(epochs),
                OutputDirectory = parse.GetValue(outDir) ?? defaults.OutputDirectory,
                Fault = Enum.Parse<DemoFault>(parse.GetValue(fault) ?? "none", ignoreCase: true),
                MLNet = parse.GetValue(mlnet),
            },
            parse.GetValue(open),
            output)));
        return command;
    }

    private static int Execute(DemoSettings settings, bool openReport, TextWriter output)
    {
        if (settings.MLNet && !MLNetDigitsDemo.SupportedFaults.Contains(settings.Fault))
        {
            throw new CommandException(ExitCodes.UsageError,
                $"--fault {DigitsDemo.Name(settings.Fault)} is not available with --mlnet (the trainer gives no hand on the optimizer mid-run); " +
                $"use one of: {string.Join(", ", MLNetDigitsDemo.SupportedFaults.Select(DigitsDemo.Name))}.");
        }

        string folder = Path.GetFullPath(settings.OutputDirectory);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot create the output folder '{folder}': {ex.Message}", ex);
        }

        string runLogPath = Path.Combine(folder, RunLogFileName);
        string reportPath = Path.Combine(folder, ReportFileName);
        EnsureWritable(runLogPath, "the run log");
        EnsureWritable(reportPath, "the report");
        DigitsDataset data = DigitsDataset.Load(settings.DatasetPath);

        string planted = settings.Fault == DemoFault.None ? "" : $", planting the '{DigitsDemo.Name(settings.Fault)}' fault";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tdiag demo{(settings.MLNet ? " --mlnet" : "")}: training MLP 64-32-10 on {data.Count} digits images for {settings.Epochs} epoch(s), seed {settings.Seed}{planted}"));
        DemoResult result;
        try
        {
            result = ProgressReporter.For(output).Run("training", settings.Epochs, report => settings.MLNet
                ? MLNetDigitsDemo.Train(settings, data, runLogPath, report)
                : DigitsDemo.Train(settings, data, runLogPath, report));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot write the run log '{runLogPath}': {ex.Message}", ex);
        }

        // The report is rendered from the log as written, the way `tdiag report` does.
        DiagnosticsRun run = RunLogReader.Read(runLogPath);
        ReportWriting.Write(reportPath, output, path => HtmlReport.Write(run, path));

        RunVerdict verdict = FindingRules.Evaluate(run);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            verdict           {verdict.Label}
            """));
        foreach (Finding finding in verdict.Top)
        {
            output.WriteLine($"  - {finding.Title}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            steps             {result.Steps} in {result.TrainingTime.TotalSeconds:F1} s ({result.SkippedSteps} skipped by the monitor)
            incidents         {result.Anomalies.Count}
            loss              {result.FirstLoss:F4} (first step) -> {result.FinalLoss:F4} (last step)
            train accuracy    {result.TrainAccuracy:P1} of {result.TrainCount} images
            held-out accuracy {result.HeldOutAccuracy:P1} of {result.HeldOutCount} images
            run log           {runLogPath}
            report            {reportPath}
            """));
        if (openReport)
        {
            ReportOpener.Open(reportPath, output);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Refuses, before any training, an output file that cannot be written: a folder in its place, a read-only file or
    /// folder. It opens the file for writing without changing it, and removes it again if it did not exist.
    /// </summary>
    private static void EnsureWritable(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new CommandException(ExitCodes.OutputError,
                $"cannot write {what} '{path}': a folder of that name is in the way. Remove it or choose another --out folder.");
        }

        try
        {
            bool existed = File.Exists(path);
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }

            if (!existed)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.OutputError, $"cannot write {what} '{path}': {ex.Message} Choose another --out folder.", ex);
        }
    }
}
