namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The shape of the training loss over its finite values, as the silent-fault rules read it (computed from the whole loss
/// column, kept as a few numbers and at most <see cref="MaxWindows"/> windows): where it started, how its last half moved,
/// and how far it swings from step to step once its trend is taken out.
/// </summary>
internal sealed class LossProfile
{
    /// <summary>The most windows kept: enough to read the loss around any step to about 1 % of the run.</summary>
    public const int MaxWindows = 100;

    /// <summary>How many finite losses the profile covers.</summary>
    public required int Count { get; init; }

    /// <summary>
    /// The loss before training has changed much: the median of the first <see cref="InitialCount"/> finite losses. For a classifier
    /// initialized as usual it is the loss of a constant prediction (ln K for K balanced classes).
    /// </summary>
    public required double InitialLevel { get; init; }

    /// <summary>
    /// The first five steps: before the optimizer has moved the weights far (a fast learner gets well below its start within
    /// a few dozen steps), with a median so that one odd batch does not set the level.
    /// </summary>
    public const int InitialSteps = 5;

    /// <summary>How many of the first losses <see cref="InitialLevel"/> is the median of (<see cref="InitialSteps"/>).</summary>
    public required int InitialCount { get; init; }

    /// <summary>The mean of the third quarter of the finite losses.</summary>
    public required double ThirdQuarterMean { get; init; }

    /// <summary>The mean of the last quarter of the finite losses.</summary>
    public required double LastQuarterMean { get; init; }

    /// <summary>The first step of the last half of the finite losses.</summary>
    public required long TailFirstStep { get; init; }

    /// <summary>The median of the last half of the finite losses.</summary>
    public required double TailMedian { get; init; }

    /// <summary>
    /// The step-to-step swing of the last half: the spread between the 10th and 90th percentiles of the losses minus their centred
    /// moving mean (over a tenth of that half), so that a loss still falling steadily does not count as swinging.
    /// </summary>
    public required double TailSwing { get; init; }

    /// <summary>The 10th and 90th percentiles of the last half's losses themselves.</summary>
    public required (double P10, double P90) TailBand { get; init; }

    /// <summary>Equal-count windows of consecutive finite losses, in step order.</summary>
    public required IReadOnlyList<LossWindow> Windows { get; init; }

    /// <summary>The count-weighted mean of the windows that overlap the steps [<paramref name="from"/>, <paramref name="to"/>], or null when none does.</summary>
    public double? MeanOver(long from, long to)
    {
        double sum = 0;
        long count = 0;
        foreach (LossWindow w in Windows)
        {
            if (w.LastStep >= from && w.FirstStep <= to)
            {
                sum += w.Mean * w.Count;
                count += w.Count;
            }
        }

        return count == 0 ? null : sum / count;
    }
}
