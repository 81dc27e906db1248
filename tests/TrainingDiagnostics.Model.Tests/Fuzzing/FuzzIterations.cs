using System.Globalization;

namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>How many cases a fuzz property runs: 1,000 in CI, or <c>CsCheck_Iter</c> for a longer hunt.</summary>
internal static class FuzzIterations
{
    /// <summary>The number of cases.</summary>
    public static long Count { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : 1000;
}
