using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Runs;

/// <summary>Reads the run logs named on the command line, turning every way a file can be wrong into a message and exit code 3.</summary>
internal static class RunLogInput
{
    public static DiagnosticsRun Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CommandException(ExitCodes.InputError, $"'{path}' is a folder; expected a run log file (JSON Lines, for example run.jsonl).");
        }

        if (!File.Exists(full))
        {
            throw new CommandException(ExitCodes.InputError, $"cannot find the run log '{path}' (looked at {full}).");
        }

        try
        {
            return RunLogReader.Read(full);
        }
        catch (InvalidDataException ex)
        {
            throw new CommandException(ExitCodes.InputError, $"'{path}' is not a readable run log: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandException(ExitCodes.InputError, $"cannot read the run log '{path}': {ex.Message}", ex);
        }
    }
}
