using TrainingDiagnostics.Report.View;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// Draws a sparse curvature series over steps as an inline SVG: a dot per measured step with its error bar (value ± error)
/// and a title giving the numbers (hover works without the script), joined by a line, and optionally the edge-of-stability
/// threshold 2/lr as a dashed line. Same geometry and axes as <see cref="LineChartSvg"/>, so it lines up under the loss chart;
/// a positive series spanning more than three decades is drawn on a log scale. Static: the script does not redraw it.
/// </summary>
internal static class CurvatureChartSvg
{
    /// <summary>The threshold line is drawn when it is at most this many times the largest estimate (its upper error bar included).</summary>
    public const double ThresholdRange = 3;

    public static void Write(TextWriter w, string id, string title, string yLabel, string cssClass,
        IReadOnlyList<(long Step, double Value, double? Error)> points, IReadOnlyList<(long Step, double Value)> threshold, (long Min, long Max) range)
    {
        var finite = points.Where(p => double.IsFinite(p.Value)).ToList();
        var limit = threshold.Where(t => double.IsFinite(t.Value) && t.Value > 0).ToList();
        if (finite.Count == 0)
        {
            w.WriteLine("<p class=\"empty\">No finite estimate was recorded.</p>");
            return;
        }

        double height = ChartConstants.Height, plotHeight = height - ChartConstants.Top - ChartConstants.Bottom;
        (long xMin, long xMax) = range;
        xMin = Math.Min(xMin, finite.Min(p => p.Step));
        xMax = Math.Max(xMax, finite.Max(p => p.Step));
        var axis = new StepScale(xMin, xMax);
        (xMin, xMax) = (axis.Min, axis.Max);

        double Error(double? e) => e is double v && double.IsFinite(v) && v > 0 ? v : 0;

        // A threshold far above every estimate would squash them into the bottom of the chart: then it is named, not drawn.
        double highest = finite.Max(p => p.Value + Error(p.Error));
        double? offChart = limit.Count > 0 && limit.Min(t => t.Value) > ThresholdRange * highest ? limit.Min(t => t.Value) : null;
        if (offChart is not null)
        {
            limit = [];
        }

        var values = finite.Select(p => p.Value).Concat(limit.Select(t => t.Value)).ToList();
        bool log = ChartScale.PrefersLog(values.Min(), values.Max());
        double floor = log ? values.Min() / 2 : double.NegativeInfinity; // an error bar reaching zero stops at the bottom
        Func<double, double> scale = log ? v => Math.Log10(Math.Max(v, floor)) : v => v;
        var extent = finite.SelectMany(p => new[] { p.Value - Error(p.Error), p.Value + Error(p.Error) }).Concat(limit.Select(t => t.Value)).Select(scale).ToList();
        (double lo, double hi) = ChartConstants.AxisRange(extent.Min(), extent.Max(), log);
        double X(long step) => ChartConstants.Left + (axis.Share(step) * ChartConstants.PlotWidth);
        double Y(double value) => ChartConstants.Top + ((hi - scale(value)) / (hi - lo) * plotHeight);
        string C(double v) => HtmlText.Coordinate(v);

        w.WriteLine(Invariant($"<svg class=\"chart curvature-chart\" id=\"{id}\" viewBox=\"0 0 {ChartConstants.Width} {height}\" role=\"img\" aria-labelledby=\"{id}-title\" data-scale=\"{(log ? "log" : "linear")}\">"));
        w.WriteLine($"<title id=\"{id}-title\">{HtmlText.Encode(title)}</title>");
        w.WriteLine(Invariant($"<rect class=\"plot\" x=\"{ChartConstants.Left}\" y=\"{ChartConstants.Top}\" width=\"{ChartConstants.PlotWidth}\" height=\"{plotHeight}\"/>"));
        LineChartSvg.WriteAxes(w, xMin, xMax, lo, hi, log, yLabel, X, height, "step");

        if (limit.Count > 0)
        {
            // The threshold holds from one measured step to the next (the learning rate of each measured step).
            w.Write("<polyline class=\"eos\" points=\"");
            for (int i = 0; i < limit.Count; i++)
            {
                double x0 = i == 0 ? ChartConstants.Left : X(limit[i].Step);
                double x1 = i + 1 < limit.Count ? X(limit[i + 1].Step) : ChartConstants.Left + ChartConstants.PlotWidth;
                w.Write(Invariant($"{C(x0)},{C(Y(limit[i].Value))} {C(x1)},{C(Y(limit[i].Value))} "));
            }

            w.WriteLine(Invariant($"\"><title>2/lr = {HtmlText.Number(limit[^1].Value)} (edge of stability of gradient descent)</title></polyline>"));
        }

        if (offChart is double above)
        {
            w.WriteLine(Invariant($"<text class=\"eos-note\" x=\"{ChartConstants.Left + ChartConstants.PlotWidth - 6}\" y=\"{ChartConstants.Top + 14}\" text-anchor=\"end\">2/lr ≥ {HtmlText.Number(above)}: above the chart ({HtmlText.Number(above / highest)}x the largest estimate)</text>"));
        }

        if (finite.Count > 1)
        {
            w.Write($"<polyline class=\"{cssClass}\" points=\"");
            foreach (var p in finite)
            {
                w.Write(Invariant($"{C(X(p.Step))},{C(Y(p.Value))} "));
            }

            w.WriteLine("\"/>");
        }

        foreach (var p in finite)
        {
            double e = Error(p.Error);
            string x = C(X(p.Step));
            if (e > 0)
            {
                w.WriteLine(Invariant($"<line class=\"errorbar\" x1=\"{x}\" x2=\"{x}\" y1=\"{C(Y(p.Value - e))}\" y2=\"{C(Y(p.Value + e))}\"/>"));
            }

            string bar = e > 0 ? " \u00b1 " + HtmlText.Number(e) : "";
            w.WriteLine(Invariant($"<circle class=\"{cssClass}-point dot\" r=\"3\" cx=\"{x}\" cy=\"{C(Y(p.Value))}\"><title>{HtmlText.Encode(yLabel)}: {HtmlText.Number(p.Value)}{bar} at step {p.Step}</title></circle>"));
        }

        w.WriteLine("</svg>");
    }
}
