using System.Text.Json;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The chart geometry, the value-axis rule, the tick rule and the heatmap's codes and canvas, written once: the C#
/// renderers use these constants and rules, and <see cref="Write"/> puts the same values into the report's data
/// (<c>"k"</c>), which report.js reads instead of keeping its own copies, so the static SVG and the script's redraw
/// cannot drift apart.
/// </summary>
internal static class ChartConstants
{
    public const double Width = 760, Height = 300, Left = 64, Right = 16, Top = 16, Bottom = 40;

    /// <summary>The width of the plot area.</summary>
    public const double PlotWidth = Width - Left - Right;

    /// <summary>The height of the small charts under the loss chart (metrics, learning rate).</summary>
    public const double SmallHeight = 170;

    /// <summary>About how many ticks an axis gets.</summary>
    public const int TickCount = 5;

    /// <summary>The tick rule: a raw spacing whose leading part is below <c>Below</c> rounds to <c>Multiple</c> times its power of ten; above the last, 10.</summary>
    public static readonly (double Below, double Multiple)[] TickMultiples = [(1.5, 1), (3, 2), (7, 5)];

    /// <summary>The share of the value range added above and below it, so that no point sits on the plot's edge.</summary>
    public const double Padding = 0.05;

    /// <summary>A value range narrower than this share of its top (or of 1) is a constant, and is widened (see <see cref="AxisRange"/>).</summary>
    public const double FlatTolerance = 1e-12;

    /// <summary>How far a constant is widened either side on a log scale or at zero (half a decade, or 0.5).</summary>
    public const double FlatHalfWidth = 0.5;

    /// <summary>The heatmap canvas' width and its tallest height, in CSS pixels.</summary>
    public const int HeatmapWidth = 760, HeatmapMaxHeight = 480;

    /// <summary>The heatmap canvas' first height: this many pixels a parameter, at least <see cref="HeatmapMinHeight"/> (the script redraws it).</summary>
    public const int HeatmapRowHeight = 12, HeatmapMinHeight = 20;

    /// <summary>The heatmap canvas' height before the script draws it, for <paramref name="layers"/> rows.</summary>
    public static int HeatmapHeight(int layers) => Math.Max(HeatmapMinHeight, Math.Min(HeatmapMaxHeight, layers * HeatmapRowHeight));

    /// <summary>The heatmap legend's width in pixels (one per colour).</summary>
    public const int LegendWidth = 256;

    /// <summary>The height of a chart (full or small).</summary>
    public static double HeightOf(LineChartData chart) => chart.Small ? SmallHeight : Height;

    /// <summary>
    /// The value axis over data spanning [<paramref name="lo"/>, <paramref name="hi"/>] (already on the chart's scale: log10
    /// values on a log scale): a constant is centred with half its size (or <see cref="FlatHalfWidth"/> on a log scale or at
    /// zero) either side, then <see cref="Padding"/> is added at both ends.
    /// </summary>
    public static (double Lo, double Hi) AxisRange(double lo, double hi, bool log)
    {
        if (hi - lo < FlatTolerance * Math.Max(1, Math.Abs(hi)))
        {
            double half = log || hi == 0 ? FlatHalfWidth : Math.Abs(hi) / 2;
            (lo, hi) = (lo - half, hi + half);
        }

        double pad = (hi - lo) * Padding;
        return (lo - pad, hi + pad);
    }

    /// <summary>The round multiple (1, 2, 5 or 10) for a raw spacing's leading part <paramref name="norm"/> in [1, 10).</summary>
    public static double TickMultiple(double norm)
    {
        foreach ((double below, double multiple) in TickMultiples)
        {
            if (norm < below)
            {
                return multiple;
            }
        }

        return 10;
    }

    /// <summary>Writes the constants as the <c>"k"</c> object of the report data.</summary>
    public static void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("k");
        json.WriteNumber("w", Width);
        json.WriteNumber("h", Height);
        json.WriteNumber("l", Left);
        json.WriteNumber("r", Right);
        json.WriteNumber("t", Top);
        json.WriteNumber("b", Bottom);
        json.WriteNumber("ticks", TickCount);
        json.WriteStartArray("multiples");
        foreach ((double below, double multiple) in TickMultiples)
        {
            json.WriteStartArray();
            json.WriteNumberValue(below);
            json.WriteNumberValue(multiple);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteNumber("pad", Padding);
        json.WriteNumber("flat", FlatTolerance);
        json.WriteNumber("flatHalf", FlatHalfWidth);
        json.WriteNumber("zero", GradientHeatmap.Zero);
        json.WriteNumber("nonFinite", GradientHeatmap.NonFinite);
        json.WriteNumber("perDecade", GradientHeatmap.CodesPerDecade);
        json.WriteNumber("heatW", HeatmapWidth);
        json.WriteNumber("heatH", HeatmapMaxHeight);
        json.WriteNumber("legend", LegendWidth);
        json.WriteEndObject();
    }
}
