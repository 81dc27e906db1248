using TrainingDiagnostics.Report.Analysis;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// A downsampled line over steps, ready to draw: finite points in segments (a non-finite value between two
/// kept points breaks the line), and the steps whose value was NaN or infinite, to mark.
/// </summary>
internal sealed record ChartSeries(
    string Name,
    string CssClass,
    IReadOnlyList<ChartSegment> Segments,
    IReadOnlyList<(long Step, double Value)> NonFinite)
{
    /// <summary>Whether to draw a dot at each point (sparse series: one value per evaluation).</summary>
    public bool Dots { get; init; }

    public IEnumerable<(long Step, double Value)> Points => Segments.SelectMany(s => s.Steps.Zip(s.Values));

    public int PointCount => Segments.Sum(s => s.Steps.Length);

    /// <summary>
    /// Builds a series from <paramref name="values"/> (one per step; null means not measured and is skipped),
    /// downsampled by LTTB to about <paramref name="maxPoints"/> finite points, plus every step in
    /// <paramref name="keep"/> exactly. Non-finite markers are thinned to <paramref name="maxPoints"/> too, keeping
    /// the first one and those in <paramref name="keep"/>.
    /// </summary>
    public static ChartSeries Build(string name, string cssClass, IReadOnlyList<long> steps, IReadOnlyList<double?> values,
        int maxPoints, IReadOnlySet<long> keep)
    {
        int n = steps.Count;
        var finite = new List<int>(n);
        var nonFinite = new List<int>();
        var nonFiniteBefore = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            bool bad = values[i] is double v && !double.IsFinite(v);
            nonFiniteBefore[i + 1] = nonFiniteBefore[i] + (bad ? 1 : 0);
            if (values[i] is not null)
            {
                (bad ? nonFinite : finite).Add(i);
            }
        }

        int[] kept;
        if (finite.Count > maxPoints)
        {
            double[] x = finite.Select(i => (double)steps[i]).ToArray();
            double[] y = finite.Select(i => values[i]!.Value).ToArray();
            kept = Lttb.Select(x, y, maxPoints).Select(k => finite[k])
                .Concat(finite.Where(i => keep.Contains(steps[i])))
                .Distinct().Order().ToArray();
        }
        else
        {
            kept = finite.ToArray();
        }

        var segments = new List<ChartSegment>();
        var segmentSteps = new List<long>();
        var segmentValues = new List<double>();
        int previous = -1;
        foreach (int i in kept)
        {
            if (previous >= 0 && nonFiniteBefore[i] - nonFiniteBefore[previous + 1] > 0)
            {
                segments.Add(new ChartSegment(segmentSteps.ToArray(), segmentValues.ToArray()));
                segmentSteps.Clear();
                segmentValues.Clear();
            }

            segmentSteps.Add(steps[i]);
            segmentValues.Add(values[i]!.Value);
            previous = i;
        }

        if (segmentSteps.Count > 0)
        {
            segments.Add(new ChartSegment(segmentSteps.ToArray(), segmentValues.ToArray()));
        }

        IEnumerable<int> marks = nonFinite;
        if (nonFinite.Count > maxPoints)
        {
            int stride = (int)Math.Ceiling(nonFinite.Count / (double)maxPoints);
            marks = nonFinite.Where((i, k) => k % stride == 0 || keep.Contains(steps[i]));
        }

        return new ChartSeries(name, cssClass, segments, marks.Select(i => (steps[i], values[i]!.Value)).ToList());
    }
}
