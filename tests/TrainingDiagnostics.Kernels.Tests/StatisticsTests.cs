using TrainingDiagnostics.Kernels;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>Statistics and histograms of float buffers against a plain loop.</summary>
[TestClass]
public sealed class StatisticsTests
{
    public static IEnumerable<object[]> BackendsAndLengths()
    {
        foreach (var backend in new[] { AcceleratorPreference.Cpu, AcceleratorPreference.CpuAccelerator, AcceleratorPreference.Cuda })
        {
            foreach (int n in new[] { 1, 17, 1025, 8197, 1_000_000 })
            {
                yield return [backend, n];
            }
        }
    }

    /// <summary>Normal-ish floats with NaN, ±∞ and a few large values sprinkled in.</summary>
    private static float[] Buffer(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble();
            x[i] = u switch
            {
                < 0.01 => float.NaN,
                < 0.015 => float.PositiveInfinity,
                < 0.02 => float.NegativeInfinity,
                < 0.03 => (float)(1e30 * (random.NextDouble() - 0.5)),
                _ => (float)(4 * (random.NextDouble() - 0.5)),
            };
        }

        return x;
    }

    [TestMethod]
    [DynamicData(nameof(BackendsAndLengths))]
    public void StatisticsMatchAPlainLoop(AcceleratorPreference backend, int n)
    {
        var x = Buffer(n, seed: n);
        long nan = 0, positive = 0, negative = 0;
        double squares = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v)) { nan++; }
            else if (float.IsPositiveInfinity(v)) { positive++; }
            else if (float.IsNegativeInfinity(v)) { negative++; }
            else
            {
                squares += (double)v * v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        var s = Engines.Get(backend).Statistics(x);
        Assert.AreEqual(n, s.Count);
        Assert.AreEqual(nan, s.NaNCount, "NaN count");
        Assert.AreEqual(positive, s.PositiveInfinityCount, "+∞ count");
        Assert.AreEqual(negative, s.NegativeInfinityCount, "−∞ count");
        Assert.AreEqual(positive + negative, s.InfinityCount);
        Assert.AreEqual(n - nan - positive - negative, s.FiniteCount);
        if (s.FiniteCount > 0)
        {
            Assert.AreEqual(min, s.Minimum, "minimum");
            Assert.AreEqual(max, s.Maximum, "maximum");
            // Summation order differs (lanes, chunks): equal to rounding.
            AssertClose(squares, s.SumOfSquares, 1e-12, "sum of squares");
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void ABufferWithoutFiniteValuesHasNoMinimum(AcceleratorPreference backend)
    {
        var s = Engines.Get(backend).Statistics([float.NaN, float.PositiveInfinity, float.NaN]);
        Assert.AreEqual(2, s.NaNCount);
        Assert.AreEqual(0, s.FiniteCount);
        Assert.IsTrue(double.IsNaN(s.Minimum) && double.IsNaN(s.Maximum));
        Assert.AreEqual(0, s.SumOfSquares);
        Assert.AreEqual(0, Engines.Get(backend).Statistics([]).Count);
    }

    [TestMethod]
    [DynamicData(nameof(BackendsAndLengths))]
    public void HistogramMatchesAPlainLoop(AcceleratorPreference backend, int n)
    {
        var x = Buffer(n, seed: 2 * n + 1);
        if (n > 3)
        {
            // The edges themselves: min into bin 0, max into the last bin.
            x[0] = -1.5f;
            x[1] = 1.5f;
        }

        const double min = -1.5, max = 1.5;
        const int bins = 37;
        var expected = new long[bins];
        long under = 0, over = 0, nonFinite = 0;
        foreach (float v in x)
        {
            if (!float.IsFinite(v)) { nonFinite++; }
            else if (v < min) { under++; }
            else if (v > max) { over++; }
            else { expected[Math.Min(bins - 1, (int)Math.Floor((v - min) * (bins / (max - min))))]++; }
        }

        var h = Engines.Get(backend).Histogram(x, min, max, bins);
        CollectionAssert.AreEqual(expected, h.Counts.ToArray());
        Assert.AreEqual(under, h.Underflow, "underflow");
        Assert.AreEqual(over, h.Overflow, "overflow");
        Assert.AreEqual(nonFinite, h.NonFinite, "non-finite");
        Assert.AreEqual(n, h.Counts.Sum() + h.Underflow + h.Overflow + h.NonFinite);
        Assert.AreEqual(bins, h.BinCount);
        AssertClose(3.0 / 37, h.BinWidth, 1e-15, "bin width");
    }

    [TestMethod]
    public void HistogramArgumentsAreChecked()
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var e = Assert.ThrowsExactly<ArgumentException>(() => engine.Histogram([1f], 2, 1, 10));
        StringAssert.Contains(e.Message, "minimum < maximum");
        StringAssert.Contains(e.Message, "[2, 1] came");
        Assert.ThrowsExactly<ArgumentException>(() => engine.Histogram([1f], 0, double.PositiveInfinity, 10));
        var bins = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => engine.Histogram([1f], 0, 1, 0));
        StringAssert.Contains(bins.Message, "but 0 came");
    }
}
