using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Runs;

/// <summary>Reads the run logs named on the command line, turning every way a file can be wrong into a message and exit code 3.</summary>
internal static class RunLogInput
{
    public static DiagnosticsRun Read(string path) => Guard(path, () => RunLogReader.Read(Path.GetFullPath(path)));

    /// <summary>The log's header alone (the file is opened, its first line read, and closed).</summary>
    public static RunMetadata ReadHeader(string path) => Guard(path, () =>
    {
        using RunLogCursor cursor = RunLogReader.Open(Path.GetFullPath(path));
        return cursor.Metadata;
    });

    /// <summary>Runs <paramref name="read"/> on the log at <paramref name="path"/>, turning what can go wrong into exit code 3.</summary>
    public static T Guard<T>(string path, Func<T> read)
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
            return read();
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
