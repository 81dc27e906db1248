using System.Globalization;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>How rules write numbers: three significant digits, named non-finite values, invariant culture.</summary>
internal static class RuleText
{
    public static string Named(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

    public static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    public static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Up to three names, then how many more.</summary>
    public static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(3)) + (names.Count > 3 ? Invariant($" and {names.Count - 3} more") : "");
}
