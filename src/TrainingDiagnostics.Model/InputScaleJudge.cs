using System.Globalization;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Judges from their profiles whether a model's input features need standardizing: the one rule behind the
/// <c>unnormalized-input</c> finding of the training monitor's input profile and of ML.NET's <c>ProfileData</c> stage.
/// </summary>
/// <remarks>
/// <para>Three tests over the columns that vary (a constant column has no scale to judge); any one makes the finding:</para>
/// <list type="number">
/// <item><b>Spread.</b> The columns' extents, their largest absolute value max(|min|, |max|), differ by more than
/// <see cref="SpreadThreshold"/> (100) from the largest to the smallest, and the largest exceeds 1. The extent and not a
/// mean (of absolute values, or of squares) measures the scale, because a mean also counts how often a column is
/// active: a sparse column (a pixel rarely inked, a rare category) would look tiny beside a dense one of the same range.
/// Data within [-1, 1] never makes this test: a column scaled into that range has been scaled, and its extent can be
/// small only because its values are rare (faint pixels).</item>
/// <item><b>Magnitude.</b> A column's root mean square sqrt(mean² + std²) exceeds <see cref="MagnitudeThreshold"/> (10):
/// its typical value is an order of magnitude beyond the unit scale that default weight initializations assume (raw
/// 0-255 pixels, years, prices, counts). The root mean square, not the extent, because one outlier of a standardized
/// column can reach an extent of 10 or more while its typical value stays 1.</item>
/// <item><b>Offset.</b> A column's mean lies more than <see cref="OffsetThreshold"/> (3) standard deviations from zero
/// and outside [-1, 1]: what the column says rides on a large constant (alcohol 13.0 ± 0.8 %), which makes the first
/// layer's gradient mostly the same for every sample and slows gradient descent (LeCun et al., "Efficient BackProp",
/// 1998, section 4.3). The [-1, 1] floor keeps a column of [0, 1] data quiet when it is nearly constant (a flag that is
/// almost always set, a background pixel).</item>
/// </list>
/// <para>Standardized features (mean 0, standard deviation 1) pass all three; so do features min-max scaled to [0, 1] or
/// [-1, 1], one-hot columns and pixel intensities divided by their maximum.</para>
/// </remarks>
public static class InputScaleJudge
{
    /// <summary>The <see cref="DataFinding.Rule"/> of the finding: <c>unnormalized-input</c>.</summary>
    public const string Rule = "unnormalized-input";

    /// <summary>Column extents further apart than this factor (with the largest above 1) make the spread test. 100: two orders of magnitude.</summary>
    public const double SpreadThreshold = 100;

    /// <summary>A column whose root mean square exceeds this makes the magnitude test. 10: an order of magnitude beyond unit scale.</summary>
    public const double MagnitudeThreshold = 10;

    /// <summary>A column whose mean lies more than this many standard deviations from zero (and outside [-1, 1]) makes the offset test.</summary>
    public const double OffsetThreshold = 3;

    /// <summary>
    /// The ratio of the largest to the smallest extent (largest absolute value) over the columns that vary and have finite
    /// values; NaN when fewer than two such columns have a positive extent. This is <see cref="DataProfileRecord.ScaleSpread"/>.
    /// </summary>
    /// <param name="columns">The feature columns (for a vector column, its slots).</param>
    /// <returns>The spread, at least 1, or NaN.</returns>
    public static double ScaleSpread(IEnumerable<ColumnProfile> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var extents = Judged(columns).Select(Extent).Where(e => e > 0).ToList();
        return extents.Count >= 2 ? extents.Max() / extents.Min() : double.NaN;
    }

    /// <summary>
    /// The <c>unnormalized-input</c> finding when the features' scales span orders of magnitude, a feature's typical value
    /// is far beyond unit scale, or a feature sits far from zero (see the remarks); null when none of the tests fires.
    /// </summary>
    /// <param name="columns">The feature columns (for a vector column, its slots), named as the user knows them.</param>
    /// <param name="advice">How to standardize in the caller's setting, appended to the finding's detail (for example the
    /// ML.NET transform to use).</param>
    /// <returns>A warning whose title gives the strongest evidence and whose detail lists every test that fired, or null.</returns>
    public static DataFinding? Judge(IReadOnlyList<ColumnProfile> columns, string advice)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(advice);
        var judged = Judged(columns).ToList();
        var evidence = new List<string>();

        var extents = judged.Where(c => Extent(c) > 0).ToList();
        if (extents.Count >= 2)
        {
            var low = extents.MinBy(Extent)!;
            var high = extents.MaxBy(Extent)!;
            double spread = Extent(high) / Extent(low);
            if (spread > SpreadThreshold && Extent(high) > 1)
                evidence.Add(Invariant($"Feature scales differ by a factor of {spread:G3}: '{low.Name}' reaches about {Extent(low):G3}, '{high.Name}' about {Extent(high):G3}."));
        }

        var large = judged.Where(c => RootMeanSquare(c) > MagnitudeThreshold).OrderByDescending(RootMeanSquare).ToList();
        if (large.Count > 0)
            evidence.Add(Invariant($"{Count(large.Count)} a typical magnitude (root mean square) above {MagnitudeThreshold:G3}, up to {RootMeanSquare(large[0]):G3} for '{large[0].Name}'{Others(large)}."));

        var offset = judged.Where(c => Math.Abs(c.Mean) > 1 && Math.Abs(c.Mean) > OffsetThreshold * c.StandardDeviation)
            .OrderByDescending(Offset).ToList();
        if (offset.Count > 0)
        {
            var worst = offset[0];
            evidence.Add(Invariant($"{Count(offset.Count)} a mean far from zero: '{worst.Name}' sits at {worst.Mean:G4} ± {worst.StandardDeviation:G3}, {Offset(worst):G3} standard deviations from zero{Others(offset)}."));
        }

        if (evidence.Count == 0)
            return null;
        return new DataFinding
        {
            Rule = Rule,
            Severity = AnomalySeverity.Warning,
            Title = evidence[0].TrimEnd('.'),
            Detail = string.Join(" ", evidence.Skip(1)) + (evidence.Count > 1 ? " " : "") +
                "Unscaled features let the largest ones dominate the first layer's gradients and make the mean of each one a constant " +
                "the network must first learn away: training is unstable or slow at any one learning rate. Standardize every feature, " +
                "(x - mean) / std with the mean and standard deviation of the training data. " + advice,
        };
    }

    /// <summary>The largest absolute value of a column: its scale, however rarely it is active.</summary>
    private static double Extent(ColumnProfile column) => Math.Max(Math.Abs(column.Min), Math.Abs(column.Max));

    /// <summary>sqrt(mean² + std²): the typical size of a column's values.</summary>
    private static double RootMeanSquare(ColumnProfile column) => Math.Sqrt(column.Mean * column.Mean + column.StandardDeviation * column.StandardDeviation);

    /// <summary>How many standard deviations the mean lies from zero (infinite for a column of one repeated value, which is never judged).</summary>
    private static double Offset(ColumnProfile column) => Math.Abs(column.Mean) / column.StandardDeviation;

    /// <summary>The columns with finite statistics that vary.</summary>
    private static IEnumerable<ColumnProfile> Judged(IEnumerable<ColumnProfile> columns) =>
        columns.Where(c => !c.IsConstant && double.IsFinite(c.Min) && double.IsFinite(c.Max) && double.IsFinite(c.Mean)
            && double.IsFinite(c.StandardDeviation) && c.StandardDeviation > 0);

    private static string Count(int n) => n == 1 ? "One feature has" : Invariant($"{n} features have");

    private static string Others(List<ColumnProfile> columns) =>
        columns.Count == 1 ? "" : Invariant($" (also {string.Join(", ", columns.Skip(1).Take(4).Select(c => $"'{c.Name}'"))}{(columns.Count > 5 ? ", ..." : "")})");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
