using System.Text.Json;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The chart geometry, tick rule and heatmap cell codes, written once: the C# renderers use these constants and
/// <see cref="Write"/> puts the same values into the report's data (<c>"k"</c>), which report.js reads instead of
/// keeping its own copies, so the static SVG and the script's redraw cannot drift apart.
/// </summary>
internal static class ChartConstants
{
    public const double Width = 760, Height = 300, Left = 64, Right = 16, Top = 16, Bottom = 40;

    /// <summary>The height of the small charts under the loss chart (metrics, learning rate).</summary>
    public const double SmallHeight = 170;

    /// <summary>About how many ticks an axis gets.</summary>
    public const int TickCount = 5;

    /// <summary>The tick rule: a raw spacing whose leading part is below <c>Below</c> rounds to <c>Multiple</c> times its power of ten; above the last, 10.</summary>
    public static readonly (double Below, double Multiple)[] TickMultiples = [(1.5, 1), (3, 2), (7, 5)];

    /// <summary>A positive series spanning more than this ratio (three decades) is drawn on a log scale.</summary>
    public const double LogScaleRatio = 1e3;

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
        json.WriteNumber("zero", GradientHeatmap.Zero);
        json.WriteNumber("nonFinite", GradientHeatmap.NonFinite);
        json.WriteEndObject();
    }
}
