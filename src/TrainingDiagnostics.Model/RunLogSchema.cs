namespace TrainingDiagnostics.Model;

/// <summary>
/// The layout of a run log: JSON Lines, one object per line, each with a <c>"kind"</c> discriminator.
/// </summary>
/// <remarks>
/// <para>The first line is the header (<c>"kind":"header"</c>), carrying <c>"schemaVersion"</c> and the
/// <see cref="RunMetadata"/> fields. Every later line is one record: <c>"step"</c> (a <see cref="StepRecord"/>),
/// <c>"anomaly"</c> (an <see cref="AnomalyEvent"/>), <c>"metric"</c> (a <see cref="MetricRecord"/>), <c>"curvature"</c> (a <see cref="CurvatureRecord"/>) and, from
/// version 2, <c>"parameters"</c>. Property names are camelCase; a missing optional value is omitted;
/// non-finite doubles are written as the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.</para>
/// <para>Version 2 (compact): parameter names are written once, in a <c>"parameters"</c> line
/// (<c>{"kind":"parameters","names":["fc1.weight","fc1.bias"]}</c>) that announces the layout of the step lines after
/// it; a new one is written only when a step lists other parameters. A step line carries its per-parameter values as
/// arrays in that order: <c>"gradientNorms"</c> (present whenever the step has parameters), <c>"weightNorms"</c> and
/// <c>"updateRatios"</c> (omitted when nothing was measured), with <c>null</c> for a value not measured. Numbers are
/// the shortest text that round-trips; when every per-parameter value of a line is a float32 value (norms of float32
/// tensors), the line says <c>"float32":true</c> and its arrays hold the shortest float32 text, to be read as float32
/// and widened. Version 1 (one object per parameter, <c>"layers":[{"name":..}]</c>) is still read.</para>
/// <para>Compatibility: a new record kind or a new optional property does not change
/// <see cref="CurrentVersion"/>; readers skip kinds they do not know and ignore properties they do not
/// know. The version changes only when an existing kind changes meaning, and a reader refuses a log whose
/// version is newer than its own.</para>
/// </remarks>
public static class RunLogSchema
{
    /// <summary>The schema version this library writes and the newest it reads.</summary>
    public const int CurrentVersion = 2;

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

    /// <summary>The <c>kind</c> of a curvature line: one <see cref="CurvatureRecord"/>.</summary>
    public const string CurvatureKind = "curvature";

    /// <summary>The <c>kind</c> of a line that records a contained instrument failure: one <see cref="InstrumentFailureRecord"/>.</summary>
    public const string InstrumentFailureKind = "instrumentFailure";

    /// <summary>The <c>kind</c> of a line that records an action of the Heal policy or its outcome: one <see cref="HealRecord"/>.</summary>
    public const string HealKind = "heal";

    /// <summary>The <c>kind</c> of a line announcing the parameter names of the step lines after it (version 2).</summary>
    public const string ParametersKind = "parameters";

    /// <summary>The property of a <see cref="ParametersKind"/> line holding the names, in step-array order.</summary>
    public const string NamesProperty = "names";

    /// <summary>The property of a version-2 step line holding the per-parameter gradient norms.</summary>
    public const string GradientNormsProperty = "gradientNorms";

    /// <summary>The property of a version-2 step line holding the per-parameter weight norms.</summary>
    public const string WeightNormsProperty = "weightNorms";

    /// <summary>The property of a version-2 step line holding the per-parameter update ratios.</summary>
    public const string UpdateRatiosProperty = "updateRatios";

    /// <summary>The property of a version-2 step line saying its per-parameter values are float32 text.</summary>
    public const string Float32Property = "float32";
}
