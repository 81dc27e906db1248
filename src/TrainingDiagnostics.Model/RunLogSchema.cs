namespace TrainingDiagnostics.Model;

/// <summary>
/// The layout of a run log: JSON Lines, one object per line, each with a <c>"kind"</c> discriminator.
/// </summary>
/// <remarks>
/// <para>The first line is the header (<c>"kind":"header"</c>), carrying <c>"schemaVersion"</c> and the
/// <see cref="RunMetadata"/> fields. Every later line is one record, for now <c>"kind":"step"</c>
/// (a <see cref="StepRecord"/>). Property names are camelCase; a missing optional value is omitted;
/// non-finite doubles are written as the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.</para>
/// <para>Compatibility: a new record kind or a new optional property does not change
/// <see cref="CurrentVersion"/>; readers skip kinds they do not know and ignore properties they do not
/// know. The version changes only when an existing kind changes meaning, and a reader refuses a log whose
/// version is newer than its own.</para>
/// </remarks>
public static class RunLogSchema
{
    /// <summary>The schema version this library writes and the newest it reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The name of the discriminator property present on every line.</summary>
    public const string KindProperty = "kind";

    /// <summary>The name of the header's schema version property.</summary>
    public const string SchemaVersionProperty = "schemaVersion";

    /// <summary>The kind of the header line (run metadata and schema version).</summary>
    public const string HeaderKind = "header";

    /// <summary>The kind of a <see cref="StepRecord"/> line.</summary>
    public const string StepKind = "step";

    /// <summary>The <c>kind</c> of an anomaly line: one <see cref="AnomalyEvent"/>.</summary>
    public const string AnomalyEventKind = "anomaly";

    /// <summary>The <c>kind</c> of a metric line: one <see cref="MetricRecord"/>.</summary>
    public const string MetricKind = "metric";

    /// <summary>The <c>kind</c> of a data-profile line: one <see cref="DataProfileRecord"/>.</summary>
    public const string DataProfileKind = "dataProfile";

    /// <summary>The <c>kind</c> of an observed-fit line: one <see cref="ObservedFitRecord"/>.</summary>
    public const string ObservedFitKind = "observedFit";
}
