namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The Curvature section: the measured points (thinned to a bounded number in very long runs) and what the finding needs,
/// computed over every point before thinning: where the top eigenvalue first rose above 2/lr, and how often.
/// </summary>
internal sealed class CurvatureView
{
    /// <summary>An empty section (no curvature records).</summary>
    public static CurvatureView Empty { get; } = new() { Points = [] };

    /// <summary>The measured steps, in step order (every one up to <see cref="Folding.CurvatureFold.MaxPoints"/>, then thinned).</summary>
    public required IReadOnlyList<CurvaturePoint> Points { get; init; }

    /// <summary>How many steps were measured (before thinning).</summary>
    public int MeasuredSteps { get; init; }

    /// <summary>How many measured steps had a learning rate, so a 2/lr threshold to compare with.</summary>
    public int StepsWithThreshold { get; init; }

    /// <summary>The first measured step whose top eigenvalue exceeded 2/lr, with its values; null when none did.</summary>
    public CurvaturePoint? FirstAboveThreshold { get; init; }

    /// <summary>How many measured steps had a top eigenvalue above 2/lr.</summary>
    public int StepsAboveThreshold { get; init; }

    /// <summary>The largest ratio λ / (2/lr) seen (1 is the edge of stability), or null without a threshold.</summary>
    public double? LargestRatio { get; init; }
}
