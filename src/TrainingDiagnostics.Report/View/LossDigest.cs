namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The loss over its finite values, as the trend and collapse rules read it: the means of the first and the last
/// tenth, and the lowest mean of a tenth of consecutive losses with the last step of that window.
/// </summary>
internal sealed record LossDigest(int FiniteCount, double Start, double End, double Best, long BestStep);
