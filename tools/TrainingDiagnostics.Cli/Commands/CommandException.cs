namespace TrainingDiagnostics.Cli.Commands;

/// <summary>A failure the user can act on: its message is printed as is, and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CommandException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
