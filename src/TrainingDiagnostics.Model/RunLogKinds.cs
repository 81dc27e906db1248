using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The record kinds of a run log, listed once: each kind's <c>"kind"</c> name, record type, writing, reading (what a
/// record must hold, which lists an older log may omit) and its list in <see cref="DiagnosticsRun"/>. The writer, the
/// reader, <see cref="DiagnosticsRun"/>'s equality and the report's in-memory path all dispatch through this table.
/// </summary>
/// <remarks>
/// <para>Adding a record kind: write its record type, add one entry to <see cref="All"/> (with a
/// <c>[JsonSerializable]</c> line on the source-generated context and a list on <see cref="DiagnosticsRun"/>), and fold it
/// in the report. A test checks that every record type in this table round-trips through the writer and reader and that
/// <see cref="DiagnosticsRun"/> has a list for each kind and no other.</para>
/// <para>The header (<see cref="RunLogSchema.HeaderKind"/>) and the <see cref="RunLogSchema.ParametersKind"/> line are
/// the log's structure rather than records, and are not in the table.</para>
/// </remarks>
public static class RunLogKinds
{
    private static readonly RunLogKind[] Kinds =
    [
        new StepKind(),
        new JsonRecordKind<AnomalyEvent>(
            RunLogSchema.AnomalyEventKind, RunLogJsonContext.Default.AnomalyEvent, r => r.Anomalies, (r, l) => r with { Anomalies = l },
            complete: a => a.Inputs is null ? a with { Inputs = [] } : a),
        new JsonRecordKind<MetricRecord>(
            RunLogSchema.MetricKind, RunLogJsonContext.Default.MetricRecord, r => r.Metrics, (r, l) => r with { Metrics = l },
            missing: m => m.Name is null ? "a metric has no name" : null),
        new JsonRecordKind<CurvatureRecord>(
            RunLogSchema.CurvatureKind, RunLogJsonContext.Default.CurvatureRecord, r => r.Curvature, (r, l) => r with { Curvature = l }),
        new JsonRecordKind<DataProfileRecord>(
            RunLogSchema.DataProfileKind, RunLogJsonContext.Default.DataProfileRecord, r => r.DataProfiles, (r, l) => r with { DataProfiles = l },
            complete: p => p with { Columns = p.Columns ?? [], Findings = p.Findings ?? [] }),
        new JsonRecordKind<ObservedFitRecord>(
            RunLogSchema.ObservedFitKind, RunLogJsonContext.Default.ObservedFitRecord, r => r.ObservedFits, (r, l) => r with { ObservedFits = l },
            complete: f => f with { LogLines = f.LogLines ?? [], Series = f.Series ?? [] }), // logs before the series have none
        new JsonRecordKind<InstrumentFailureRecord>(
            RunLogSchema.InstrumentFailureKind, RunLogJsonContext.Default.InstrumentFailureRecord, r => r.InstrumentFailures, (r, l) => r with { InstrumentFailures = l },
            missing: f => f.Instrument is null || f.Stage is null || f.Message is null || f.ExceptionType is null
                ? "an instrument failure needs \"instrument\", \"stage\", \"exceptionType\" and \"message\" strings"
                : null),
        new JsonRecordKind<HealRecord>(
            RunLogSchema.HealKind, RunLogJsonContext.Default.HealRecord, r => r.Heals, (r, l) => r with { Heals = l },
            missing: h => h.Action is null ? "a heal record has no action" : null,
            complete: h => h with { Reason = h.Reason ?? "" }),
    ];

    private static readonly Dictionary<string, RunLogKind> ByName = Kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, RunLogKind> ByType = Kinds.ToDictionary(k => k.RecordType);

    /// <summary>
    /// Every record kind, in the order the report's in-memory path folds them after the steps: step, anomaly, metric,
    /// curvature, data profile, observed fit, instrument failure, heal.
    /// </summary>
    public static IReadOnlyList<RunLogKind> All => Kinds;

    /// <summary>The kind whose <c>"kind"</c> name is <paramref name="name"/>, or null when this library does not know it.</summary>
    /// <param name="name">A line's <c>"kind"</c> value.</param>
    /// <returns>The kind, or null.</returns>
    public static RunLogKind? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The kind whose record type is <paramref name="recordType"/>, or null when no line holds that type.</summary>
    /// <param name="recordType">A record type, for example <see cref="MetricRecord"/>.</param>
    /// <returns>The kind, or null.</returns>
    public static RunLogKind? Of(Type recordType) => ByType.GetValueOrDefault(recordType);

    /// <summary>
    /// The writing contracts: the source-generated ones, with the line's <c>"kind"</c> property put first on each
    /// record type (and, on the header's <see cref="RunMetadata"/>, the schema version after it), so that one serializer
    /// writes each whole line.
    /// </summary>
    internal static JsonSerializerOptions WriteOptions { get; } = new(RunLogJsonContext.Default.Options)
    {
        TypeInfoResolver = RunLogJsonContext.Default.WithAddedModifier(PutKindFirst),
    };

    private static void PutKindFirst(JsonTypeInfo contract)
    {
        if (contract.Type == typeof(RunMetadata))
        {
            contract.Properties.Insert(0, Constant(contract, RunLogSchema.KindProperty, RunLogSchema.HeaderKind));
            contract.Properties.Insert(1, Constant(contract, RunLogSchema.SchemaVersionProperty, RunLogSchema.CurrentVersion));
        }
        else if (ByType.TryGetValue(contract.Type, out RunLogKind? kind) && kind is not StepKind)
        {
            contract.Properties.Insert(0, Constant(contract, RunLogSchema.KindProperty, kind.Name));
        }
    }

    private static JsonPropertyInfo Constant<TValue>(JsonTypeInfo contract, string name, TValue value)
    {
        JsonPropertyInfo property = contract.CreateJsonPropertyInfo(typeof(TValue), name);
        property.Get = _ => value;
        return property;
    }
}
