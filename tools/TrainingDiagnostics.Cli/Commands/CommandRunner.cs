namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// Runs a command body and turns exceptions into one-line messages and exit codes, so a user sees what
/// went wrong and what to do, not a stack trace (set <c>TDIAG_TRACE=1</c> to get it too).
/// </summary>
internal static class CommandRunner
{
    public static int Run(TextWriter error, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CommandException ex)
        {
            return Report(error, ex.Message, ex, ex.ExitCode);
        }
        catch (InvalidDataException ex)
        {
            return Report(error, ex.Message, ex, ExitCodes.InputError);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Report(error, ex.Message, ex, ExitCodes.InputError);
        }
        catch (Exception ex) when (ex is TypeInitializationException && ex.ToString().Contains("libtorch", StringComparison.OrdinalIgnoreCase))
        {
            return Report(error, "the native libtorch library could not be loaded: " + (ex.InnerException?.Message ?? ex.Message) +
                " See the README's section on libtorch.", ex, ExitCodes.Failure);
        }
        catch (Exception ex)
        {
            return Report(error, $"unexpected {ex.GetType().Name}: {ex.Message}", ex, ExitCodes.Failure);
        }
    }

    private static int Report(TextWriter error, string message, Exception ex, int exitCode)
    {
        // One line, whatever the message holds (a path or a parser's message with a line break).
        error.WriteLine($"tdiag: error: {message.ReplaceLineEndings(" ")}");
        if (Environment.GetEnvironmentVariable("TDIAG_TRACE") == "1")
        {
            error.WriteLine(ex.ToString());
        }

        return exitCode;
    }
}
