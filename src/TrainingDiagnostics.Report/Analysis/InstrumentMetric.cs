using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Analysis;

/// <summary>
/// Reads the metric names under which the monitor's activation instruments record (<see cref="InstrumentMetricNames"/>):
/// they are measurements of a module, folded into the activations view, not the user's metrics.
/// </summary>
internal static class InstrumentMetric
{
    /// <summary>Whether <paramref name="name"/> is an activation instrument's, and then what it measures and on which module.</summary>
    public static bool TryParse(string name, out ActivationMeasure measure, out string modulePath)
    {
        foreach ((string prefix, ActivationMeasure kind) in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
            {
                (measure, modulePath) = (kind, name[prefix.Length..]);
                return true;
            }
        }

        (measure, modulePath) = (default, "");
        return false;
    }

    /// <summary>Whether <paramref name="name"/> is an activation instrument's metric.</summary>
    public static bool IsInstrument(string name) => TryParse(name, out _, out _);

    private static readonly (string Prefix, ActivationMeasure Measure)[] Prefixes =
    [
        (InstrumentMetricNames.DeadFractionPrefix, ActivationMeasure.DeadUnits),
        (InstrumentMetricNames.SaturatedFractionPrefix, ActivationMeasure.Saturation),
    ];
}
