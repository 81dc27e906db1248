namespace TrainingDiagnostics.Cli.Terminal;

/// <summary>Progress as plain lines: the task's name once, then each status line as it comes.</summary>
internal sealed class PlainProgressReporter(TextWriter output) : ProgressReporter
{
    public override T Run<T>(string description, double total, Func<Action<double, string?>, T> work)
    {
        output.WriteLine(description);
        return work((_, status) =>
        {
            if (status is not null)
            {
                output.WriteLine("  " + status);
            }
        });
    }
}
