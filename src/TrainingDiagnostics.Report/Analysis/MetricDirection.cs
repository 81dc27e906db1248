namespace TrainingDiagnostics.Report.Analysis;

/// <summary>Which way a metric improves, as read from its name by <see cref="MetricNames.Direction"/>.</summary>
internal enum MetricDirection
{
    /// <summary>The name says nothing the report knows: the metric is drawn, not judged.</summary>
    Unknown,

    /// <summary>A loss or an error: lower is better.</summary>
    LowerIsBetter,

    /// <summary>An accuracy or a score: higher is better.</summary>
    HigherIsBetter,
}
