namespace TrainingDiagnostics.Report.View;

/// <summary>
/// One row of the per-parameter table: a parameter's gradient norms (and update ratios) summarized over the run, by
/// <see cref="Folding.ParameterFold"/>. The medians are exact up to <see cref="Folding.QuantileSketch.ExactCapacity"/>
/// values, then within 1 % (a log-bucketed sketch).
/// </summary>
internal sealed record LayerGradientSummary(
    string Name,
    int Recorded,
    int NonFinite,
    double? First,
    double? Last,
    double? Min,
    double? Max,
    double? Median,
    double? LastWeightNorm,
    double? MedianUpdateRatio);
