using System.Numerics;
using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>The vectorized exp, sin and cos of JetLanes against Math, in units in the last place.</summary>
[TestClass]
public sealed class VectorMathTests
{
    /// <summary>|actual − expected| in units of the last place of expected (at least the smallest normal's ulp).</summary>
    private static double Ulps(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            return expected.Equals(actual) ? 0 : double.PositiveInfinity;
        }

        double ulp = Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);
        return Math.Abs(actual - expected) / ulp;
    }

    private static double[] Inputs(double low, double high, int n, int seed)
    {
        var x = Engines.Points(n, low, high, seed);
        return [.. x, 0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, Math.PI / 2, Math.PI, -Math.PI / 4, 1e-300];
    }

    private static double MaxUlps(double[] inputs, Func<Vector<double>, Vector<double>> vector, Func<double, double> scalar)
    {
        int w = Vector<double>.Count;
        var padded = inputs.Concat(Enumerable.Repeat(0.5, w)).Take((inputs.Length + w - 1) / w * w).ToArray();
        double worst = 0;
        for (int i = 0; i < padded.Length; i += w)
        {
            var v = vector(new Vector<double>(padded, i));
            for (int l = 0; l < w; l++)
            {
                double error = Ulps(scalar(padded[i + l]), v[l]);
                Assert.IsFalse(double.IsInfinity(error), $"at {padded[i + l]}: expected {scalar(padded[i + l])}, got {v[l]}");
                worst = Math.Max(worst, error);
            }
        }

        return worst;
    }

    [TestMethod]
    public void ExpIsWithinTwoUlps()
    {
        foreach (var (low, high) in new[] { (-1.0, 1.0), (-30.0, 30.0), (-745.0, 709.0) })
        {
            double worst = MaxUlps(Inputs(low, high, 20_000, 3), VectorMath.Exp, Math.Exp);
            Assert.IsLessThanOrEqualTo(2.0, worst, $"exp on [{low}, {high}]: worst error {worst} ulp");
        }

        // Overflow and underflow lanes go through Math.Exp.
        Assert.AreEqual(0, MaxUlps([710, -746, 709.7, -708.5, 800, -800], VectorMath.Exp, Math.Exp));
    }

    [TestMethod]
    public void SinAndCosAreWithinTwoUlps()
    {
        foreach (var (low, high) in new[] { (-1.0, 1.0), (-10.0, 10.0), (-60000.0, 60000.0) })
        {
            var inputs = Inputs(low, high, 20_000, 5);
            double sin = MaxUlps(inputs, x => { VectorMath.SinCos(x, out var s, out _); return s; }, Math.Sin);
            double cos = MaxUlps(inputs, x => { VectorMath.SinCos(x, out _, out var c); return c; }, Math.Cos);
            Assert.IsLessThanOrEqualTo(2.0, sin, $"sin on [{low}, {high}]: worst error {sin} ulp");
            Assert.IsLessThanOrEqualTo(2.0, cos, $"cos on [{low}, {high}]: worst error {cos} ulp");
        }

        // Beyond the reduction's range, lanes go through Math.
        double[] huge = [1e6, -3e10, 1e300, 7e5];
        Assert.AreEqual(0, MaxUlps(huge, x => { VectorMath.SinCos(x, out var s, out _); return s; }, Math.Sin));
    }
}
