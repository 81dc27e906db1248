using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Source-generated serializers for the run-log records (no reflection, trimming-safe). Named floating
/// point literals keep NaN and infinities round-tripping as JSON strings. The string and integer entries serve the
/// <c>"kind"</c> and <c>"schemaVersion"</c> properties that <see cref="RunLogKinds"/> puts first on each line.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunMetadata))]
[JsonSerializable(typeof(StepRecord))]
[JsonSerializable(typeof(AnomalyEvent))]
[JsonSerializable(typeof(MetricRecord))]
[JsonSerializable(typeof(DataProfileRecord))]
[JsonSerializable(typeof(ObservedFitRecord))]
[JsonSerializable(typeof(CurvatureRecord))]
[JsonSerializable(typeof(InstrumentFailureRecord))]
[JsonSerializable(typeof(HealRecord))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class RunLogJsonContext : JsonSerializerContext;
