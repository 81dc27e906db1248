using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// How much to scale a learning rate, from the run's own evidence (never a constant): the learning rate the run was healthy at
/// before a jump, the sharpness measured against 2/lr, or the update-to-weight ratios against a healthy size
/// (<see cref="RunEvidence.TargetUpdateRatio"/>). Each factor comes with the sentence that says how it was derived, and is clamped.
/// </summary>
/// <param name="Value">The factor to multiply the learning rate by.</param>
/// <param name="How">How it was derived, one sentence.</param>
internal sealed record LearningRateFactor(double Value, string How)
{
    /// <summary>The largest cut: below a thousandth of the learning rate the run is a different setup to tune from scratch.</summary>
    public const double SmallestCut = 1e-3;

    /// <summary>The smallest cut: a learning rate that is too high by less than a factor of 2 rarely swings or diverges; halve at least.</summary>
    public const double MildestCut = 0.5;

    /// <summary>The mildest raise: a loss that crawls is not helped by less than doubling the learning rate.</summary>
    public const double MildestRaise = 2;

    /// <summary>The largest raise: beyond a hundredfold, raise it in steps and look again (training turns unstable past some point).</summary>
    public const double LargestRaise = 100;

    /// <summary>
    /// A factor below 1 for a learning rate that is too high, from the best evidence the run holds: the learning rate before a
    /// jump (the run was healthy there), else the measured sharpness (lr set to 1/λ, half of the edge of stability 2/λ), else the
    /// weights' update ratios (scaled to <see cref="RunEvidence.TargetUpdateRatio"/>); null when the run holds none of them
    /// or they do not say the learning rate is too high.
    /// </summary>
    public static LearningRateFactor? Lower(RunView run)
    {
        if (run.Steps.LearningRateJump is { } jump)
        {
            return Clamp(jump.From / jump.To, Invariant($"the learning rate that trained well before it jumped x{jump.Factor:0.#} at step {jump.Step}: {Format(jump.From)} instead of {Format(jump.To)}"));
        }

        if (FromSharpness(run) is { } sharpness)
        {
            return sharpness;
        }

        if (RunEvidence.WeightUpdateRatio(run) is { } updates && updates.Median > RunEvidence.TargetUpdateRatio)
        {
            return Clamp(RunEvidence.TargetUpdateRatio / updates.Median,
                Invariant($"the weights move by {Format(updates.Median)} of their norm per step (median over {updates.Parameters} weight tensors); {Format(RunEvidence.TargetUpdateRatio)}, in the middle of the healthy 1e-3 to 1e-2, is the aim"));
        }

        return null;
    }

    /// <summary>
    /// A factor below 1 from the measured sharpness, when it rose above the edge of stability 2/lr: the learning rate that puts the
    /// step at 1/λ, half of the edge (stable along the sharpest direction, with a margin for the sharpness to grow); null otherwise.
    /// </summary>
    public static LearningRateFactor? FromSharpness(RunView run)
    {
        if (run.Curvature.LargestRatio is not double ratio || !(ratio > 1))
        {
            return null;
        }

        // ratio = λ / (2/lr) = λ·lr/2, so lr' = 1/λ is lr / (2·ratio).
        return Clamp(1 / (2 * ratio), Invariant($"the measured sharpness reached {Format(ratio)} x the edge of stability 2/lr; a step of 1/λ, half of the edge, is lr / {Format(2 * ratio)}"));
    }

    /// <summary>
    /// A factor above 1 for a learning rate that is too low, from the weights' update ratios scaled up to
    /// <see cref="RunEvidence.RaiseTargetUpdateRatio"/>; null without update ratios or when they are not below the healthy
    /// <see cref="RunEvidence.HealthyUpdateRatio"/>.
    /// </summary>
    public static LearningRateFactor? Raise(RunView run)
    {
        if (RunEvidence.WeightUpdateRatio(run) is not { } updates || updates.Median >= RunEvidence.HealthyUpdateRatio)
        {
            return null;
        }

        double factor = RunEvidence.RaiseTargetUpdateRatio / updates.Median;
        double clamped = Math.Clamp(factor, MildestRaise, LargestRaise);
        string how = Invariant($"the weights move by {Format(updates.Median)} of their norm per step (median over {updates.Parameters} weight tensors), below the healthy {Format(RunEvidence.HealthyUpdateRatio)}: x{Format(factor)} brings them to {Format(RunEvidence.RaiseTargetUpdateRatio)}, the top of the healthy 1e-3 to 1e-2");
        return new LearningRateFactor(clamped, how + Clamped(factor, clamped));
    }

    private static LearningRateFactor Clamp(double factor, string how)
    {
        double clamped = Math.Clamp(factor, SmallestCut, MildestCut);
        return new LearningRateFactor(clamped, how + Clamped(factor, clamped));
    }

    private static string Clamped(double factor, double clamped) =>
        factor == clamped ? "" : Invariant($" (x{Format(factor)}, clamped to x{Format(clamped)})");

    /// <summary>The remedy's sentence: what to set the learning rate to, when the run recorded it.</summary>
    public string Apply(RunView run)
    {
        string to = run.Steps.LearningRateRange is { } range
            ? Invariant($" (from {Format(range.Last)} to {Format(range.Last * Value)})")
            : "";
        return Invariant($"Multiply the learning rate by {Format(Value)}{to}: {How}.");
    }
}
