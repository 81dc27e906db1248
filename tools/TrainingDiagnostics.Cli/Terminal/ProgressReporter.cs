namespace TrainingDiagnostics.Cli.Terminal;

/// <summary>
/// Shows the progress of a long task: a Spectre.Console progress bar in an interactive terminal, plain lines
/// otherwise (output redirected or captured, <c>CI=true</c>, <c>TERM=dumb</c>), so logs stay readable.
/// </summary>
internal abstract class ProgressReporter
{
    /// <summary>The reporter for <paramref name="output"/>: interactive only for the real console of a terminal.</summary>
    public static ProgressReporter For(TextWriter output) =>
        IsInteractive(output) ? new SpectreProgressReporter() : new PlainProgressReporter(output);

    /// <summary>Whether <paramref name="output"/> is a terminal a person watches (and not a CI log).</summary>
    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, Console.Out)
        && !Console.IsOutputRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>
    /// Runs <paramref name="work"/>, which reports (units done out of <paramref name="total"/>, an optional status line)
    /// through the callback it is given.
    /// </summary>
    public abstract T Run<T>(string description, double total, Func<Action<double, string?>, T> work);
}
