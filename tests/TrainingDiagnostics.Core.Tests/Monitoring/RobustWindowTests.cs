using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>The sliding window's median and MAD against a direct computation (sort everything) at every step.</summary>
[TestClass]
public sealed class RobustWindowTests
{
    [TestMethod]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(200)]
    public void MedianAndSpreadMatchASortOfTheLastValuesAtEveryStep(int capacity)
    {
        var random = new Random(11);
        var window = new RobustWindow(capacity);
        var history = new List<double>();
        for (int i = 0; i < 1_000; i++)
        {
            // Ties, outliers and non-finite values (which the window ignores) included.
            double value = i % 97 == 0 ? double.NaN : i % 13 == 0 ? 1.0 : i % 29 == 0 ? 1e6 : Math.Round(random.NextDouble() * 10, 1);
            window.Add(value);
            if (double.IsFinite(value))
                history.Add(value);
            var last = history.TakeLast(capacity).ToArray();
            Assert.AreEqual(last.Length, window.Count);
            if (last.Length == 0)
                continue;
            var (median, spread) = window.Statistics();
            var (expectedMedian, expectedMad) = Direct(last);
            Assert.AreEqual(last.Length, window.Count);
            Assert.AreEqual(expectedMedian, median, 1e-12, $"median at {i}");
            Assert.AreEqual(1.4826 * expectedMad, spread, 1e-9, $"spread at {i}");
        }
    }

    private static (double Median, double Mad) Direct(double[] values)
    {
        static double Median(double[] v)
        {
            var s = v.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
        }
        double m = Median(values);
        return (m, Median(values.Select(v => Math.Abs(v - m)).ToArray()));
    }
}
