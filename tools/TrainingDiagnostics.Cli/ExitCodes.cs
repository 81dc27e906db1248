namespace TrainingDiagnostics.Cli;

/// <summary>The process exit codes of <c>tdiag</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug): the message says what happened.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong (unknown command or option, invalid value).</summary>
    public const int UsageError = 2;

    /// <summary>An input file was missing, unreadable or not in the expected format.</summary>
    public const int InputError = 3;

    /// <summary>An output file or folder could not be written.</summary>
    public const int OutputError = 4;

    /// <summary>
    /// <c>tdiag check</c>: at least one run log's verdict is at or above the <c>--fail-on</c> threshold (default critical).
    /// The logs were read and judged; the output says which and why.
    /// </summary>
    public const int CheckFailed = 5;
}
