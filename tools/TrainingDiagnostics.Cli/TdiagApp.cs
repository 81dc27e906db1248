using System.CommandLine;
using TrainingDiagnostics.Cli.Commands;

namespace TrainingDiagnostics.Cli;

/// <summary>
/// The <c>tdiag</c> command line: parses the arguments, runs one command, returns an exit code
/// (see <see cref="ExitCodes"/>). Callable in-process, with the output captured.
/// </summary>
public static class TdiagApp
{
    /// <summary>Builds the root command with every subcommand.</summary>
    /// <param name="output">Where commands write their results.</param>
    /// <param name="error">Where commands write error messages.</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("tdiag: make neural-network training with TorchSharp debuggable.");
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(ReportCommand.Create(output, error));
        root.Subcommands.Add(CompareCommand.Create(output, error));
        root.Subcommands.Add(CheckCommand.Create(output, error));
        root.Subcommands.Add(TensorBoardCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        return root;
    }

    /// <summary>Runs <c>tdiag</c> with <paramref name="args"/>.</summary>
    /// <param name="args">The command-line arguments, for example <c>demo --epochs 3</c>.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>An exit code from <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        RootCommand root = CreateRootCommand(output, error);
        ParseResult parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        if (parse.Errors.Count > 0)
        {
            // One line, as every error of tdiag: scripts and CI logs read the first line of stderr.
            string messages = string.Join(" ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ").TrimEnd()));
            error.WriteLine($"tdiag: {messages} Run 'tdiag --help' for usage.");
            return ExitCodes.UsageError;
        }

        return parse.Invoke(invocation);
    }
}
