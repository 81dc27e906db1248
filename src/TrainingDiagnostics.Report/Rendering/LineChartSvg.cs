using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// Draws one or more <see cref="ChartSeries"/> over steps as an inline SVG line chart: the static view the page
/// opens with (the script redraws it for hover and zoom). Non-finite values break their line and get a red
/// marker at the top edge; incident steps get a thin red rule. A positive series spanning more than three
/// decades is drawn on a log scale. Series with <see cref="ChartSeries.Dots"/> (sparse ones: evaluations) get a dot
/// per point whose title is its value, so hovering works without the script (and in the comparison, which has none).
/// </summary>
internal static class LineChartSvg
{
    private const double Width = ChartConstants.Width, Left = ChartConstants.Left, Top = ChartConstants.Top, Bottom = ChartConstants.Bottom,
        PlotWidth = ChartConstants.PlotWidth;

    /// <summary>The most dots drawn per series; beyond that the line alone is drawn (the script still shows values on hover).</summary>
    public const int MaxDots = 400;

    // xLabel: the x axis' label, "step", or "iteration" for a trainer's own progress (the report's Pipeline section).
    public static void Write(TextWriter w, string id, string title, string yLabel, IReadOnlyList<ChartSeries> series,
        IReadOnlyList<long> incidentSteps, double height = ChartConstants.Height, (long Min, long Max)? range = null, string xLabel = "step")
    {
        double plotHeight = height - Top - Bottom;
        var points = series.SelectMany(s => s.Points).ToList();
        var allSteps = points.Select(p => p.Step).Concat(series.SelectMany(s => s.NonFinite.Select(p => p.Step))).ToList();
        if (allSteps.Count == 0)
        {
            w.WriteLine("<p class=\"empty\">No steps were recorded.</p>");
            return;
        }

        // A shared range keeps charts stacked under one another aligned step for step.
        (long xMin, long xMax) = range ?? (allSteps.Min(), allSteps.Max());
        var axis = new StepScale(xMin, xMax);
        (xMin, xMax) = (axis.Min, axis.Max);

        double yMin = points.Count == 0 ? 0 : points.Min(p => p.Value), yMax = points.Count == 0 ? 1 : points.Max(p => p.Value);
        bool log = ChartScale.PrefersLog(yMin, yMax);
        Func<double, double> scale = log ? Math.Log10 : v => v;
        (double lo, double hi) = ChartConstants.AxisRange(scale(yMin), scale(yMax), log);

        double X(long step) => Left + (axis.Share(step) * PlotWidth);
        double Y(double value) => Top + ((hi - scale(value)) / (hi - lo) * plotHeight);

        w.WriteLine(Invariant($"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-labelledby=\"{id}-title\" data-scale=\"{(log ? "log" : "linear")}\">"));
        w.WriteLine($"<title id=\"{id}-title\">{HtmlText.Encode(title)}</title>");
        w.WriteLine(Invariant($"<rect class=\"plot\" x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{plotHeight}\"/>"));
        WriteAxes(w, xMin, xMax, lo, hi, log, yLabel, X, height, xLabel);

        var columns = new HashSet<int>();
        foreach (long step in incidentSteps)
        {
            double x = X(step);
            if (step >= xMin && step <= xMax && columns.Add((int)Math.Round(x)))
            {
                w.WriteLine(Invariant($"<line class=\"incident-rule\" x1=\"{HtmlText.Coordinate(x)}\" x2=\"{HtmlText.Coordinate(x)}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\"/>"));
            }
        }

        foreach (ChartSeries s in series)
        {
            foreach (ChartSegment segment in s.Segments)
            {
                if (segment.Steps.Length == 1)
                {
                    w.WriteLine(Invariant($"<circle class=\"{s.CssClass}-point\" r=\"2\" cx=\"{HtmlText.Coordinate(X(segment.Steps[0]))}\" cy=\"{HtmlText.Coordinate(Y(segment.Values[0]))}\"/>"));
                    continue;
                }

                w.Write($"<polyline class=\"{s.CssClass}\" points=\"");
                for (int i = 0; i < segment.Steps.Length; i++)
                {
                    w.Write(HtmlText.Coordinate(X(segment.Steps[i])));
                    w.Write(',');
                    w.Write(HtmlText.Coordinate(Y(segment.Values[i])));
                    w.Write(' ');
                }

                w.WriteLine("\"/>");
            }

            if (s.Dots && s.PointCount <= MaxDots)
            {
                string prefix = HtmlText.Encode(s.Name) + ": ";
                foreach ((long step, double value) in s.Points)
                {
                    w.WriteLine(Invariant(
                        $"<circle class=\"{s.CssClass}-point dot\" r=\"3\" cx=\"{HtmlText.Coordinate(X(step))}\" cy=\"{HtmlText.Coordinate(Y(value))}\"><title>{prefix}{HtmlText.Number(value)} at {HtmlText.Encode(xLabel)} {step}</title></circle>"));
                }
            }

            // One marker per pixel column at most: a run that is NaN for 100,000 steps stays small.
            var marked = new HashSet<int>();
            foreach ((long step, double value) in s.NonFinite)
            {
                double x = X(step);
                if (marked.Add((int)Math.Round(x)))
                {
                    w.WriteLine(Invariant(
                        $"<path class=\"nonfinite\" d=\"M{HtmlText.Coordinate(x)},{Top + 10} l-5,-9 h10 z\"><title>{HtmlText.Encode(series.Count > 1 ? s.Name + ": " : "")}{HtmlText.Encode(xLabel)} {step}: {HtmlText.Encode(yLabel)} {HtmlText.Number(value)}</title></path>"));
                }
            }
        }

        w.WriteLine("</svg>");
    }

    /// <summary>Round values for a linear axis over [lo, hi]: multiples of 1, 2 or 5 times a power of ten, about five of them.</summary>
    public static IEnumerable<double> NiceTicks(double lo, double hi)
    {
        double raw = (hi - lo) / ChartConstants.TickCount, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / magnitude;
        double every = ChartConstants.TickMultiple(norm) * magnitude;
        for (double k = Math.Ceiling(lo / every); k * every <= hi + (every * 1e-9); k++)
        {
            yield return k * every;
        }
    }

    /// <summary>Round step numbers for the x axis: multiples of 1, 2 or 5 times a power of ten, about five of them.</summary>
    public static IEnumerable<long> StepTicks(long xMin, long xMax) => new StepScale(xMin, xMax).Ticks();

    /// <summary>The grid, the value and step ticks and the axis labels of a chart of <paramref name="height"/> whose value axis spans [lo, hi] (log10 values on a log scale).</summary>
    public static void WriteAxes(TextWriter w, long xMin, long xMax, double lo, double hi, bool log, string yLabel, Func<long, double> x, double height, string xLabel)
    {
        double plotHeight = height - Top - Bottom;
        double YScaled(double v) => Top + ((hi - v) / (hi - lo) * plotHeight);
        IEnumerable<double> ticks = log
            ? Enumerable.Range((int)Math.Ceiling(lo), Math.Max(0, (int)Math.Floor(hi) - (int)Math.Ceiling(lo) + 1)).Select(e => (double)e)
            : NiceTicks(lo, hi);
        foreach (double t in ticks)
        {
            string py = HtmlText.Coordinate(YScaled(t));
            string label = log ? HtmlText.Number(Math.Pow(10, t)) : HtmlText.Number(t == 0 ? 0 : t); // never "-0"
            w.WriteLine(Invariant($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{py}\" y2=\"{py}\"/>"));
            w.WriteLine(Invariant($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{py}\" text-anchor=\"end\" dominant-baseline=\"middle\">{label}</text>"));
        }

        foreach (long step in StepTicks(xMin, xMax))
        {
            string px = HtmlText.Coordinate(x(step));
            w.WriteLine(Invariant($"<text class=\"tick\" x=\"{px}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\">{HtmlText.Integer(step)}</text>"));
        }

        w.WriteLine(Invariant($"<text class=\"axis\" x=\"{Left + (PlotWidth / 2)}\" y=\"{height - 4}\" text-anchor=\"middle\">{HtmlText.Encode(xLabel)}</text>"));
        string label2 = log ? yLabel + " (log)" : yLabel;
        w.WriteLine(Invariant($"<text class=\"axis\" x=\"14\" y=\"{Top + (plotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + (plotHeight / 2)})\">{HtmlText.Encode(label2)}</text>"));
    }
}
