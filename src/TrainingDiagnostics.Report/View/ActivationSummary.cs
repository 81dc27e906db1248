using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// One activation module's instrument readings over a run (the share of dead units of a ReLU, or of saturated outputs of a
/// sigmoid or tanh), reduced to what the rules read: the first and last readings, the median of the most recent ones, and
/// the step from which the share has stayed above <see cref="MostUnits"/>.
/// </summary>
/// <param name="ModulePath">The module's path, as the metric name gives it.</param>
/// <param name="Measure">What the readings measure.</param>
/// <param name="Count">How many finite readings there were.</param>
/// <param name="FirstStep">The step of the first reading.</param>
/// <param name="FirstValue">The first reading (0 to 1).</param>
/// <param name="LastStep">The step of the last reading.</param>
/// <param name="LastValue">The last reading.</param>
/// <param name="RecentMedian">The median of the last <see cref="Folding.ActivationFold.RecentReadings"/> readings (fewer in short runs).</param>
/// <param name="RecentCount">How many readings <paramref name="RecentMedian"/> is the median of.</param>
/// <param name="RecentMinimum">The smallest of those recent readings.</param>
/// <param name="OnsetStep">The first reading above <see cref="MostUnits"/> of the last stretch of readings (a reading below half of
/// <see cref="MostUnits"/> ends a stretch); null when no stretch is open at the end.</param>
internal sealed record ActivationSummary(
    string ModulePath,
    ActivationMeasure Measure,
    int Count,
    long FirstStep,
    double FirstValue,
    long LastStep,
    double LastValue,
    double RecentMedian,
    int RecentCount,
    double RecentMinimum,
    long? OnsetStep)
{
    /// <summary>"Most units": more than half. A layer that loses more than half of its units (or of its gradient) works at less than half its width.</summary>
    public const double MostUnits = 0.5;

    /// <summary>Every unit, up to float rounding and a batch or two: at or above this share the layer passes no signal at all.</summary>
    public const double EveryUnit = 0.99;
}
