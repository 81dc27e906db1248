namespace TrainingDiagnostics.Report.View;

/// <summary>
/// Whether a parameter moved: its update-to-weight ratios and weight norms over the run, reduced to what the frozen-parameter
/// rule reads. An update ratio of exactly 0 means the optimizer did not change the parameter at all between two measurements.
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="UpdateRatios">How many finite update ratios were recorded.</param>
/// <param name="PositiveUpdates">How many of them were above zero.</param>
/// <param name="ZeroRunStart">The step of the first of the update ratios of exactly 0 that end the run (none above zero after it), or null.</param>
/// <param name="ZeroRunLength">How many update ratios of exactly 0 end the run.</param>
/// <param name="GradientsDuringZeroRun">How many finite gradient norms were recorded from <paramref name="ZeroRunStart"/> on.</param>
/// <param name="PositiveGradientsDuringZeroRun">How many of them were above zero: the parameter got a gradient and still did not move.</param>
/// <param name="WeightNorms">How many weight norms were recorded.</param>
/// <param name="WeightNormConstant">Whether every recorded weight norm equals the first one exactly.</param>
/// <param name="PositiveGradients">How many gradient norms above zero were recorded over the whole run.</param>
/// <param name="FirstStep">The first step that recorded the parameter.</param>
internal sealed record ParameterMotion(
    string Name,
    int UpdateRatios,
    int PositiveUpdates,
    long? ZeroRunStart,
    int ZeroRunLength,
    int GradientsDuringZeroRun,
    int PositiveGradientsDuringZeroRun,
    int WeightNorms,
    bool WeightNormConstant,
    int PositiveGradients,
    long FirstStep);
