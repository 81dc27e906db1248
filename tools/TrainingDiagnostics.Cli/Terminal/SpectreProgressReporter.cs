using Spectre.Console;

namespace TrainingDiagnostics.Cli.Terminal;

/// <summary>Progress as a Spectre.Console bar with the latest status line, elapsed and remaining time.</summary>
internal sealed class SpectreProgressReporter : ProgressReporter
{
    public override T Run<T>(string description, double total, Func<Action<double, string?>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                T result = work((done, status) =>
                {
                    task.Value = done;
                    if (status is not null)
                    {
                        task.Description = Markup.Escape($"{description}  {status}");
                    }
                });
                task.Value = task.MaxValue;
                return result;
            });
}
