using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Export;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag export RUN.jsonl... [-o DIR]</c>: writes run logs as Parquet tables (steps, scalars, incidents, findings) for
/// DuckDB, Spark or pandas (see <see cref="ParquetExport"/>). One streaming pass per log, bounded memory.
/// </summary>
public static class ExportCommand
{
    /// <summary>The folder written when <c>-o</c> is not given.</summary>
    public const string DefaultOutput = "export";

    /// <summary>Creates the <c>export</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var logs = new Argument<string[]>("RUN.jsonl")
        {
            Description = "Run logs (JSON Lines) to export; several go into the same tables, told apart by the run and rank columns.",
            Arity = ArgumentArity.OneOrMore,
        };
        var folder = new Option<string>("--output", "-o")
        {
            Description = "The folder for steps.parquet, scalars.parquet, incidents.parquet and findings.parquet.",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var rowGroup = new Option<int>("--row-group-rows")
        {
            Description = "Rows per Parquet row group (and rows held in memory per table).",
            DefaultValueFactory = _ => ParquetExportOptions.DefaultRowGroupRows,
        };
        rowGroup.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--row-group-rows must be at least 1 (default 262144).");
            }
        });
        var command = new Command("export", "Export run logs as Parquet tables (steps, scalars, incidents, findings) for DuckDB, Spark or pandas.")
        {
            logs,
            folder,
            rowGroup,
        };
        command.SetAction(parse => CommandRunner.Run(error, () =>
            Execute(parse.GetValue(logs) ?? [], parse.GetValue(folder) ?? DefaultOutput, parse.GetValue(rowGroup), output)));
        return command;
    }

    private static int Execute(string[] paths, string directory, int rowGroupRows, TextWriter output)
    {
        foreach (string path in paths)
        {
            RunLogInput.ReadHeader(path); // every input checked before anything is written
        }

        string root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new CommandException(ExitCodes.OutputError, $"'{root}' is a file; expected a folder for the Parquet tables (or one to create).");
        }

        long bytes = paths.Sum(p => new FileInfo(p).Length);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ParquetExportSummary summary;
        try
        {
            summary = ProgressReporter.For(output).Run($"exporting {paths.Length} run log(s) ({Size(bytes)})", 100, report =>
                ParquetExport.WriteAsync(paths.Select(Path.GetFullPath).ToList(), root, new ParquetExportOptions { RowGroupRows = rowGroupRows },
                    new InlineProgress(share => report(share * 100, null))).GetAwaiter().GetResult());
        }
        catch (InvalidDataException ex)
        {
            throw new CommandException(ExitCodes.InputError, $"'{string.Join(", ", paths)}' is not a readable run log: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The logs were opened and their headers read already: what fails now is the output.
            throw new CommandException(ExitCodes.OutputError, $"cannot write the Parquet tables in '{root}': {ex.Message}", ex);
        }

        clock.Stop();
        long written = 0;
        foreach (var (file, rows) in new[]
                 {
                     (ParquetExport.StepsFile, summary.StepRows), (ParquetExport.ScalarsFile, summary.ScalarRows),
                     (ParquetExport.IncidentsFile, summary.IncidentRows), (ParquetExport.FindingsFile, summary.FindingRows),
                 })
        {
            long size = new FileInfo(Path.Combine(root, file)).Length;
            written += size;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{file,-17} {rows,12:N0} rows  {Size(size),9}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"exported",-17} {Size(bytes)} of logs in {clock.Elapsed.TotalSeconds:0.0} s; the tables are {Size(written)} ({100.0 * written / Math.Max(1, bytes):0.#} % of the logs)"));
        foreach (string path in summary.IncompleteLogs)
        {
            output.WriteLine($"warning: '{path}' is incomplete: its last line was cut (a crashed or running training); every step before it was exported.");
        }

        output.WriteLine($"tables            {root}");
        return ExitCodes.Success;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
    };
}
