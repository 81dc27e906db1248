using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>Thrown by <see cref="TrainingMonitor.Step"/> under <see cref="AnomalyPolicy.Throw"/>; carries the incident.</summary>
public sealed class TrainingAnomalyException : Exception
{
    /// <summary>Creates the exception for an incident.</summary>
    /// <param name="anomaly">The first (most important) incident of the step.</param>
    public TrainingAnomalyException(AnomalyEvent anomaly)
        : base(Describe(anomaly))
    {
        Anomaly = anomaly;
    }

    /// <summary>The incident that stopped training.</summary>
    public AnomalyEvent Anomaly { get; }

    private static string Describe(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        string where = anomaly.ModulePath is null ? "" : $" in '{anomaly.ModulePath}'";
        string op = anomaly.Operation is null ? "" : $" ({anomaly.Operation})";
        string fix = anomaly.Suggestion is null ? "" : " Suggestion: " + anomaly.Suggestion;
        return $"Step {anomaly.Step}: {anomaly.Kind} during {anomaly.Phase}{where}{op}. {anomaly.Message}{fix}";
    }
}
