using TrainingDiagnostics.Model;
using static System.FormattableString;

namespace TrainingDiagnostics.Report;

/// <summary>
/// Draws loss over steps as an inline SVG line chart. Non-finite losses break the line and get a red
/// marker at the top edge, so a NaN is seen, not hidden.
/// </summary>
internal static class LossChartSvg
{
    private const double Width = 760, Height = 300, Left = 64, Right = 16, Top = 16, Bottom = 40;
    private const double PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    public static void Write(TextWriter w, IReadOnlyList<StepRecord> steps, int maxPoints)
    {
        if (steps.Count == 0)
        {
            w.WriteLine("<p class=\"empty\">No steps were recorded.</p>");
            return;
        }

        long xMin = steps.Min(s => s.Step), xMax = steps.Max(s => s.Step);
        if (xMax == xMin)
        {
            xMax = xMin + 1;
        }

        double[] finite = steps.Select(s => s.Loss).Where(double.IsFinite).ToArray();
        double yMin = finite.Length == 0 ? 0 : finite.Min(), yMax = finite.Length == 0 ? 1 : finite.Max();
        if (yMax - yMin < 1e-12 * Math.Max(1, Math.Abs(yMax)))
        {
            (yMin, yMax) = (yMin - 0.5, yMax + 0.5);
        }

        double pad = (yMax - yMin) * 0.05;
        (yMin, yMax) = (yMin - pad, yMax + pad);

        double X(long step) => Left + ((step - xMin) / (double)(xMax - xMin) * PlotWidth);
        double Y(double loss) => Top + ((yMax - loss) / (yMax - yMin) * PlotHeight);

        w.WriteLine(Invariant($"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"loss-chart-title\">"));
        w.WriteLine("<title id=\"loss-chart-title\">Training loss over steps</title>");
        w.WriteLine(Invariant($"<rect class=\"plot\" x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\"/>"));
        WriteAxes(w, xMin, xMax, yMin, yMax, X, Y);

        foreach (List<int> segment in Segments(steps, Math.Max(2, maxPoints)))
        {
            w.Write(segment.Count == 1 ? "<circle class=\"loss-point\" r=\"2\" " : "<polyline class=\"loss\" points=\"");
            if (segment.Count == 1)
            {
                StepRecord s = steps[segment[0]];
                w.WriteLine(Invariant($"cx=\"{HtmlText.Coordinate(X(s.Step))}\" cy=\"{HtmlText.Coordinate(Y(s.Loss))}\"/>"));
                continue;
            }

            foreach (int i in segment)
            {
                w.Write(HtmlText.Coordinate(X(steps[i].Step)));
                w.Write(',');
                w.Write(HtmlText.Coordinate(Y(steps[i].Loss)));
                w.Write(' ');
            }

            w.WriteLine("\"/>");
        }

        // One marker per pixel column at most: a run that is NaN for 100,000 steps stays small.
        var columns = new HashSet<int>();
        foreach (StepRecord s in steps.Where(s => !double.IsFinite(s.Loss)))
        {
            double x = X(s.Step);
            if (columns.Add((int)Math.Round(x)))
            {
                w.WriteLine(Invariant(
                    $"<path class=\"nonfinite\" d=\"M{HtmlText.Coordinate(x)},{Top + 10} l-5,-9 h10 z\"><title>step {s.Step}: loss {HtmlText.Number(s.Loss)}</title></path>"));
            }
        }

        w.WriteLine("</svg>");
    }

    // Consecutive runs of drawable points; a non-finite step between two points breaks the line. Long
    // runs keep each bucket's minimum and maximum, in step order (shape-preserving, cheap).
    private static List<List<int>> Segments(IReadOnlyList<StepRecord> steps, int maxPoints)
    {
        int n = steps.Count;
        var nonFiniteBefore = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            nonFiniteBefore[i + 1] = nonFiniteBefore[i] + (double.IsFinite(steps[i].Loss) ? 0 : 1);
        }

        int bucket = Math.Max(1, (int)Math.Ceiling(n / (maxPoints / 2.0)));
        var kept = new List<int>();
        for (int start = 0; start < n; start += bucket)
        {
            int end = Math.Min(n, start + bucket), lo = -1, hi = -1;
            for (int i = start; i < end; i++)
            {
                double loss = steps[i].Loss;
                if (!double.IsFinite(loss))
                {
                    continue;
                }

                if (lo < 0 || loss < steps[lo].Loss)
                {
                    lo = i;
                }

                if (hi < 0 || loss > steps[hi].Loss)
                {
                    hi = i;
                }
            }

            if (lo >= 0)
            {
                kept.Add(Math.Min(lo, hi));
                if (hi != lo)
                {
                    kept.Add(Math.Max(lo, hi));
                }
            }
        }

        var segments = new List<List<int>>();
        List<int>? current = null;
        int previous = -1;
        foreach (int i in kept)
        {
            if (current is null || nonFiniteBefore[i] - nonFiniteBefore[previous + 1] > 0)
            {
                current = [];
                segments.Add(current);
            }

            current.Add(i);
            previous = i;
        }

        return segments;
    }

    private static void WriteAxes(TextWriter w, long xMin, long xMax, double yMin, double yMax, Func<long, double> x, Func<double, double> y)
    {
        const int ticks = 5;
        for (int t = 0; t <= ticks; t++)
        {
            double value = yMin + ((yMax - yMin) * t / ticks);
            string py = HtmlText.Coordinate(y(value));
            w.WriteLine(Invariant($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{py}\" y2=\"{py}\"/>"));
            w.WriteLine(Invariant($"<text class=\"tick\" x=\"{Left - 6}\" y=\"{py}\" text-anchor=\"end\" dominant-baseline=\"middle\">{HtmlText.Number(value)}</text>"));
        }

        for (int t = 0; t <= ticks; t++)
        {
            long step = xMin + (long)Math.Round((xMax - xMin) * (double)t / ticks);
            string px = HtmlText.Coordinate(x(step));
            w.WriteLine(Invariant($"<text class=\"tick\" x=\"{px}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{HtmlText.Integer(step)}</text>"));
        }

        w.WriteLine(Invariant($"<text class=\"axis\" x=\"{Left + (PlotWidth / 2)}\" y=\"{Height - 4}\" text-anchor=\"middle\">step</text>"));
        w.WriteLine(Invariant($"<text class=\"axis\" x=\"14\" y=\"{Top + (PlotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + (PlotHeight / 2)})\">loss</text>"));
    }
}
