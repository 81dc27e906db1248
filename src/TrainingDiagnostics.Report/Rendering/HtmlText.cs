using System.Globalization;
using System.Net;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>Encoding and culture-invariant number formatting for the HTML writer.</summary>
internal static class HtmlText
{
    /// <summary>Encodes text for element content and double-quoted attributes (&lt; &gt; &amp; " ').</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A value for a table cell: four significant digits, invariant culture, named non-finite values.</summary>
    public static string Number(double? value) => value switch
    {
        null => "\u2013",
        double v when double.IsNaN(v) => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double v => v.ToString("G4", CultureInfo.InvariantCulture),
    };

    /// <summary>An integer with no group separators, invariant culture.</summary>
    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An SVG coordinate: at most two decimals, invariant culture.</summary>
    public static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
