namespace TrainingDiagnostics.Report.View;

/// <summary>A run of consecutive finite losses (one of the <see cref="LossProfile"/>'s equal-count windows) and their mean.</summary>
/// <param name="FirstStep">The first step in the window.</param>
/// <param name="LastStep">The last step in the window.</param>
/// <param name="Count">How many finite losses it holds.</param>
/// <param name="Mean">Their mean.</param>
internal sealed record LossWindow(long FirstStep, long LastStep, int Count, double Mean);
