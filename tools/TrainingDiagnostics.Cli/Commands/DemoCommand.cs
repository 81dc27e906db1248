using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag demo [--fault NAME] [--heal] [--epochs N] [--out DIR] [--open] [--mlnet]</c>: trains a small MLP on the bundled
/// digits dataset on the CPU under the training monitor, optionally with a planted fault, and writes <c>run.jsonl</c> and
/// <c>report.html</c>. With <c>--heal</c> it then applies the remedies of the report's findings, trains again with the
/// same seed (up to <see cref="MaxHealRounds"/> times) and writes the healed runs and a comparison of all of them.
/// </summary>
public static class DemoCommand
{
    /// <summary>The file name of the run log written into the output folder.</summary>
    public const string RunLogFileName = "run.jsonl";

    /// <summary>The file name of the HTML report written into the output folder.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>The comparison of the faulty and the healed runs written by <c>--heal</c>.</summary>
    public const string CompareFileName = "compare.html";

    /// <summary>
    /// The most retrainings <c>--heal</c> does: one per stage of remedies (the inputs or the model, the step size, when to
    /// stop; see <see cref="HealPlan"/>), a remedy followed once or twice must heal its problem.
    /// </summary>
    public const int MaxHealRounds = 3;

    /// <summary>The run log of the <paramref name="round"/>-th healed run (1-based).</summary>
    public static string HealedRunLogFileName(int round) => $"healed-{round}.jsonl";

    /// <summary>The report of the <paramref name="round"/>-th healed run (1-based).</summary>
    public static string HealedReportFileName(int round) => $"healed-{round}.html";

    /// <summary>The values <c>--fault</c> accepts.</summary>
    public static IReadOnlyList<string> Faults { get; } = Enum.GetValues<DemoFault>().Select(DigitsDemo.Name).ToArray();

    /// <summary>Creates the <c>demo</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new DemoSettings();
        var epochs = new Option<int?>("--epochs", "-e")
        {
            Description = $"Number of passes over the training images (default {DemoSettings.DefaultEpochCount}; {DemoSettings.DefaultEpochs(DemoFault.Overfit)} for the overfit fault).",
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
                "lr (learning rate x1000 after a calm start), data (a NaN pixel), sqrt (a custom layer's sqrt at 0); silent ones, " +
                "which stay finite: dead-relu (fc1's ReLUs dead from the start), lr-high (a loss that swings), lr-low (a loss that crawls), " +
                "overfit (50 training images), frozen (fc1 left out of the optimizer), unscaled (pixel columns scaled 1 to 10^4).",
            DefaultValueFactory = _ => DigitsDemo.Name(DemoFault.None),
        };
        fault.AcceptOnlyFromAmong([.. Faults]);
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser when done." };
        var heal = new Option<bool>("--heal")
        {
            Description = "After training, apply the remedies of the report's findings (learning rate, input standardization, " +
                "optimizer membership, re-initialization, activation, early stop, clipping), train again with the same seed, " +
                $"and write the healed run and {CompareFileName}, the runs side by side.",
        };
        var mlnet = new Option<bool>("--mlnet")
        {
            Description = "Run the same job as an ML.NET pipeline (ProfileData, NormalizeMinMax, FlagNonFinite, TorchModule trainer); " +
                "the report gains Data and Pipeline sections. Faults: " + string.Join(", ", MLNetDigitsDemo.SupportedFaults.Where(f => f != DemoFault.None).Select(DigitsDemo.Name)) +
            "; --heal is not available with it.",
        };

        PathArguments.RequireNames(outDir);
        var command = new Command("demo", "Train a small MLP on the digits dataset under the training monitor, write the run log and an HTML report.")
        {
            epochs,
            outDir,
            fault,
            open,
            mlnet,
            heal,
        };
        command.SetAction(parse => CommandRunner.Run(error, () =>
        {
            DemoFault planted = DigitsDemo.Parse(parse.GetValue(fault) ?? DigitsDemo.Name(DemoFault.None));
            return Execute(
                defaults with
                {
                    Epochs = parse.GetValue(epochs) ?? DemoSettings.DefaultEpochs(planted),
                    OutputDirectory = parse.GetValue(outDir) ?? defaults.OutputDirectory,
                    Fault = planted,
                    MLNet = parse.GetValue(mlnet),
                },
                parse.GetValue(open),
                parse.GetValue(heal),
                output);
        }));
        return command;
    }

    private static int Execute(DemoSettings settings, bool openReport, bool heal, TextWriter output)
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

        if (settings.MLNet && heal)
        {
            throw new CommandException(ExitCodes.UsageError,
                "--heal is not available with --mlnet: it retrains with remedies (optimizer membership, re-initialization, early stop) the ML.NET trainer gives no hand on; drop --mlnet to heal the TorchSharp loop.");
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
            held-out accuracy {result.HeldOutAccuracy:P1} of {result.HeldOutCount} images{(result.Baseline is { } baseline ? $"\nbaseline          {baseline}" : "")}
            run log           {runLogPath}
            report            {reportPath}
            """));
        string opened = reportPath;
        if (heal)
        {
            opened = Heal(settings, data, folder, run, result, output, FindingRules.Evaluate) ?? reportPath;
        }

        if (openReport)
        {
            ReportOpener.Open(opened, output);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>--heal</c>: up to <see cref="MaxHealRounds"/> times, applies the remedies of the last run's findings (as
    /// <paramref name="evaluate"/> judges it: the report's rules), trains again with the same seed and renders the healed run;
    /// then compares every run. Returns the comparison's path, or null when no finding carried a remedy that could be applied.
    /// </summary>
    internal static string? Heal(DemoSettings settings, DigitsDataset data, string folder, DiagnosticsRun before, DemoResult beforeResult,
        TextWriter output, Func<DiagnosticsRun, RunVerdict> evaluate)
    {
        ModelLayout layout = ModelLayout.OfDemo(settings.Fault);
        var runs = new List<DiagnosticsRun> { before };
        var results = new List<DemoResult> { beforeResult };
        var remedied = new HashSet<string>();
        DemoSettings current = settings;
        RunVerdict first = evaluate(before);
        RunVerdict verdict = first;
        for (int round = 1; round <= MaxHealRounds; round++)
        {
            HealPlan plan = HealPlan.From(verdict.Findings, current.Healing, layout);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"heal round {round}: {plan.Applied.Count} remedy(ies) to apply, {plan.Deferred.Count} deferred, {plan.NotApplied.Count} not applicable"));
            foreach (string line in plan.Applied)
            {
                output.WriteLine($"  applied      {line}");
            }

            foreach (string line in plan.Deferred)
            {
                output.WriteLine($"  deferred     {line}");
            }

            foreach (string line in plan.NotApplied)
            {
                output.WriteLine($"  not applied  {line}");
            }

            if (!plan.ChangesAnything)
            {
                output.WriteLine(round == 1
                    ? "nothing to heal: no finding of the report carries a remedy that can be applied."
                    : "no further remedy to apply.");
                break;
            }

            remedied.UnionWith(verdict.Findings.Where(f => f.Remedy is not null).Select(f => f.Rule));
            current = current with { Healing = plan.Healing };
            string runLogPath = Path.Combine(folder, HealedRunLogFileName(round));
            DemoResult result;
            try
            {
                result = ProgressReporter.For(output).Run($"training again ({HealPlan.Describe(plan.Healing)})", current.Epochs,
                    report => DigitsDemo.Train(current, data, runLogPath, report));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CommandException(ExitCodes.OutputError, $"cannot write the run log '{runLogPath}': {ex.Message}", ex);
            }

            DiagnosticsRun healed = RunLogReader.Read(runLogPath);
            ReportWriting.Write(Path.Combine(folder, HealedReportFileName(round)), output, path => HtmlReport.Write(healed, path));
            runs.Add(healed);
            results.Add(result);
            verdict = evaluate(healed);
            output.WriteLine($"verdict           {verdict.Label}{(verdict.Top.Count == 0 ? "" : ": " + verdict.Top[0].Title)}");
            if (!verdict.Findings.Any(f => f.Remedy is not null))
            {
                break;
            }
        }

        if (runs.Count == 1)
        {
            return null;
        }

        string comparePath = Path.Combine(folder, CompareFileName);
        ReportWriting.Write(comparePath, output, path => HtmlReport.Compare(runs, path,
            new ReportOptions { Title = $"tdiag demo --heal: {DigitsDemo.Name(settings.Fault)}, before and after" }));
        string[] persisting = verdict.Findings.Where(f => f.Severity >= FindingSeverity.Warning).Select(f => f.Rule).Where(remedied.Contains).Distinct().ToArray();
        string changes = HealSummary(settings, current, results[0], results[^1]);
        output.WriteLine();
        output.WriteLine(persisting.Length == 0
            ? $"healed: {changes}"
            : $"not healed: {string.Join(", ", persisting)} still found after the remedies; {changes}");
        output.WriteLine($"verdict           {first.Label} -> {verdict.Label}");
        for (int round = 1; round < runs.Count; round++)
        {
            output.WriteLine($"healed run {round}      {Path.Combine(folder, HealedRunLogFileName(round))}");
        }

        output.WriteLine($"comparison        {comparePath}");
        return comparePath;
    }

    /// <summary>What changed and what it did: <c>lr 0.3 -> 0.03, validation accuracy 0.41 -> 0.95 (loss 1.9 -> 0.16)</c>.</summary>
    private static string HealSummary(DemoSettings before, DemoSettings after, DemoResult first, DemoResult last)
    {
        var parts = new List<string>();
        if (after.Healing.LearningRateFactor != before.Healing.LearningRateFactor)
        {
            parts.Add($"lr {HealPlan.Number(first.LearningRate)} -> {HealPlan.Number(last.LearningRate)}");
        }

        DemoHealing rest = after.Healing with { LearningRateFactor = 1 };
        if (!rest.IsEmpty)
        {
            parts.Add(HealPlan.Describe(rest));
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture,
            $"validation accuracy {first.HeldOutAccuracy:0.00} -> {last.HeldOutAccuracy:0.00} (loss {first.HeldOutLoss:0.000} -> {last.HeldOutLoss:0.000})"));
        return string.Join(", ", parts);
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
