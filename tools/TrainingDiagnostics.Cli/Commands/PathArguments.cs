using System.CommandLine;
using System.CommandLine.Parsing;

namespace TrainingDiagnostics.Cli.Commands;

/// <summary>
/// The checks every path on tdiag's command line passes before a command does any work: while parsing, a path that
/// cannot name a file (empty, blank, holding a NUL character) is a usage error (exit 2); before reading, an output
/// that would overwrite an input is a usage error, and an output that is a folder an output error (exit 4).
/// </summary>
internal static class PathArguments
{
    /// <summary>Makes the parser refuse, for <paramref name="argument"/>, a value that cannot name a file.</summary>
    public static void RequireNames(Argument<string[]> argument) => argument.Validators.Add(result => Check(result, argument.Name));

    /// <summary>Makes the parser refuse, for <paramref name="option"/>, a value that cannot name a file or folder.</summary>
    public static void RequireNames(Option<string> option) => option.Validators.Add(result => Check(result, option.Name));

    /// <summary>Refuses an output file that is one of the inputs (exit 2) or an existing folder (exit 4), before anything is read.</summary>
    /// <param name="output">The output file as given.</param>
    /// <param name="optionName">The option that named it, for the message.</param>
    /// <param name="inputs">The input files as given.</param>
    public static void CheckOutputFile(string output, string optionName, IEnumerable<string> inputs)
    {
        string full = Path.GetFullPath(output);
        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (inputs.Any(input => string.Equals(Path.GetFullPath(input), full, comparison)))
        {
            throw new CommandException(ExitCodes.UsageError,
                $"{optionName} '{output}' is also a run log to read: writing the report there would overwrite the log. Choose another file for {optionName}.");
        }

        if (Directory.Exists(full))
        {
            throw new CommandException(ExitCodes.OutputError,
                $"cannot write the report '{full}': it is a folder. Give {optionName} a file name, for example {Path.Combine(output, "report.html")}.");
        }
    }

    private static void Check(SymbolResult result, string name)
    {
        foreach (Token token in result.Tokens)
        {
            if (string.IsNullOrWhiteSpace(token.Value))
            {
                result.AddError($"{name} was given an empty path; give a file or folder name.");
            }
            else if (token.Value.Contains('\0', StringComparison.Ordinal))
            {
                result.AddError($"{name} was given '{token.Value.Replace("\0", "\\0", StringComparison.Ordinal)}', which holds a NUL character that no file name can hold.");
            }
        }
    }
}
