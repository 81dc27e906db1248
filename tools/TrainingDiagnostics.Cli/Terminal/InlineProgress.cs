namespace TrainingDiagnostics.Cli.Terminal;

/// <summary>An <see cref="IProgress{T}"/> that calls back at once, on the reporting thread (<see cref="Progress{T}"/> posts to a context instead).</summary>
internal sealed class InlineProgress(Action<double> report) : IProgress<double>
{
    public void Report(double value) => report(value);
}
