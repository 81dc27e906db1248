using Microsoft.Extensions.Logging;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// What the monitor tells an <see cref="ILogger"/> (<see cref="Monitoring.MonitorOptions.Logger"/>): every incident, every
/// contained instrument failure and every action of the Heal policy and its outcome, as structured log records (stable
/// event ids and names, one named field per fact) that OpenTelemetry exports as log attributes. Source-generated
/// (<see cref="LoggerMessageAttribute"/>): nothing is formatted when the level is off.
/// </summary>
/// <remarks>
/// Levels: a critical incident (a NaN or infinity, see <see cref="AnomalyKinds.SeverityOf"/>) is an error, any other
/// incident a warning; an instrument failure is a warning; a heal action is a warning (the monitor changed the training),
/// its outcome information when the run recovered and a warning when it did not.
/// </remarks>
internal static partial class MonitorLog
{
    /// <summary>Event ids, stable across versions: OpenTelemetry and log queries may filter on them.</summary>
    public const int IncidentId = 1, InstrumentFailureId = 2, HealActionId = 3, HealOutcomeId = 4;

    public static void Incident(ILogger logger, string run, AnomalyEvent anomaly)
    {
        AnomalySeverity severity = AnomalyKinds.SeverityOf(anomaly);
        Incident(logger, severity == AnomalySeverity.Critical ? LogLevel.Error : LogLevel.Warning, run, anomaly.Step, anomaly.Kind, severity,
            anomaly.Phase, anomaly.ModulePath ?? "-", anomaly.Operation ?? "-", anomaly.Action ?? AnomalyPolicyRecord, anomaly.Message, anomaly.Suggestion ?? "");
    }

    public static void Heal(ILogger logger, string run, HealRecord heal)
    {
        if (heal.Healed is bool healed)
        {
            HealOutcome(logger, healed ? LogLevel.Information : LogLevel.Warning, run, heal.Step, heal.Action, heal.AppliedAt ?? heal.Step, healed, heal.Outcome ?? "");
        }
        else
        {
            HealAction(logger, run, heal.Step, heal.Action, heal.Target ?? "-", heal.Factor, heal.From, heal.To, heal.Reason);
        }
    }

    private const string AnomalyPolicyRecord = "Record";

    [LoggerMessage(EventId = IncidentId, EventName = "TrainingIncident",
        Message = "Run {Run}, step {Step}: {Kind} ({Severity}) during {Phase} in {Module} ({Operation}); action {Action}. {Detail} Suggestion: {Suggestion}")]
    private static partial void Incident(ILogger logger, LogLevel level, string run, long step, AnomalyKind kind, AnomalySeverity severity,
        AnomalyPhase phase, string module, string operation, string action, string detail, string suggestion);

    [LoggerMessage(EventId = InstrumentFailureId, EventName = "InstrumentFailure", Level = LogLevel.Warning,
        Message = "Run {Run}, step {Step}: the instrument '{Instrument}' failed in {Stage} ({ExceptionType}: {Detail}); {ConsecutiveFailures} failing step(s) in a row, stood down: {StoodDown}")]
    public static partial void InstrumentFailure(ILogger logger, string run, long step, string instrument, string stage, string exceptionType,
        string detail, int consecutiveFailures, bool stoodDown);

    [LoggerMessage(EventId = HealActionId, EventName = "HealAction", Level = LogLevel.Warning,
        Message = "Run {Run}, step {Step}: heal action {Action} on {Target}, factor {Factor}, from {From} to {To}. {Reason}")]
    private static partial void HealAction(ILogger logger, string run, long step, string action, string target, double? factor, double? from, double? to, string reason);

    [LoggerMessage(EventId = HealOutcomeId, EventName = "HealOutcome",
        Message = "Run {Run}, step {Step}: the {Action} applied at step {AppliedAt} healed the run: {Healed}. {Outcome}")]
    private static partial void HealOutcome(ILogger logger, LogLevel level, string run, long step, string action, long appliedAt, bool healed, string outcome);
}
