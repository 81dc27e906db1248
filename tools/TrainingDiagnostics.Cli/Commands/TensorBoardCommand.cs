using System.CommandLine;
using System.Globalization;
using TrainingDiagnostics.Cli.Runs;
using TrainingDiagnostics.Cli.Terminal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Recording;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// <c>tdiag tensorboard RUN.jsonl... [-o DIR]</c>: converts run logs (monitored TorchSharp runs, ML.NET runs, old logs)
/// into TensorBoard event files, with the tags the live monitor writes. One log goes into DIR; several logs each into
/// a subfolder of DIR named after the log file, which TensorBoard shows as separate runs. One pass per log, bounded memory.
/// </summary>
public static class TensorBoardCommand
{
    /// <summary>The folder written when <c>-o</c> is not given.</summary>
    public const string DefaultOutput = "tensorboard";

    /// <summary>Creates the <c>tensorboard</c> command.</summary>
    /// <param name="output">Where progress and the summary go.</param>
    /// <param name="error">Where error messages go.</param>
    /// <returns>The command, ready to add to the root command.</returns>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var logs = new Argument<string[]>("RUN.jsonl")
        {
            Description = "Run logs (JSON Lines) to convert.",
            Arity = ArgumentArity.OneOrMore,
        };
        var folder = new Option<string>("--output", "-o")
        {
            Description = "The folder for the event files (tensorboard --logdir DIR).",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var command = new Command("tensorboard", "Convert run logs into TensorBoard event files: loss, learning rate, gradient and weight norms, update ratios, metrics, curvature; incidents as text.")
        {
            logs,
            folder,
        };
        command.SetAction(parse => CommandRunner.Run(error, () => Execute(parse.GetValue(logs) ?? [], parse.GetValue(folder) ?? DefaultOutput, output)));
        return command;
    }

    private static int Execute(string[] paths, string directory, TextWriter output)
    {
        foreach (string path in paths)
        {
            RunLogInput.ReadHeader(path); // every input checked before anything is written
        }

        string root = Path.GetFullPath(directory);
        List<string> folders = Folders(paths, root);
        for (int i = 0; i < paths.Length; i++)
        {
            string path = paths[i];
            using RunLogCursor cursor = RunLogInput.Guard(path, () => RunLogReader.Open(Path.GetFullPath(path)));
            TensorBoardExportResult result;
            try
            {
                result = ProgressReporter.For(output).Run($"converting {Path.GetFileName(path)}", 100, report =>
                    TensorBoardExport.FromRunLog(cursor, folders[i], new InlineProgress(share => report(share * 100, null))));
            }
            catch (InvalidDataException ex)
            {
                throw new CommandException(ExitCodes.InputError, $"'{path}' is not a readable run log: {ex.Message}", ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The log was opened and its header read already: what fails now is the output.
                throw new CommandException(ExitCodes.OutputError, $"cannot write the TensorBoard files in '{folders[i]}': {ex.Message}", ex);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.RunName,-17} {result.StepCount} steps, {result.ScalarCount} scalars, {result.TextCount} texts -> {result.EventFile}"));
            if (!result.IsComplete)
            {
                output.WriteLine($"warning: '{path}' is incomplete: its last line was cut (a crashed or running training); every step before it was converted.");
            }
        }

        output.WriteLine($"tensorboard       tensorboard --logdir {root}");
        return ExitCodes.Success;
    }

    /// <summary>One log: the folder itself; several: a subfolder each, named after the file (made unique).</summary>
    private static List<string> Folders(string[] paths, string root)
    {
        if (File.Exists(root))
        {
            throw new CommandException(ExitCodes.OutputError, $"'{root}' is a file; expected a folder for the event files (or one to create).");
        }

        if (paths.Length == 1)
        {
            return [root];
        }

        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var folders = new List<string>(paths.Length);
        foreach (string path in paths)
        {
            string stem = Path.GetFileNameWithoutExtension(path);
            string name = stem;
            for (int n = 2; !used.Add(name); n++)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}");
            }

            folders.Add(Path.Combine(root, name));
        }

        return folders;
    }
}
