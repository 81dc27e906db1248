using TrainingDiagnostics.Kernels;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>Gradient, Hessian diagonal and Laplacian by directional jets, against closed forms.</summary>
[TestClass]
public sealed class MultivariateTests
{
    public static IEnumerable<object[]> BackendsAndRowCounts()
    {
        foreach (var backend in new[] { AcceleratorPreference.Cpu, AcceleratorPreference.CpuAccelerator, AcceleratorPreference.Cuda })
        {
            foreach (int n in new[] { 1, 17, 1025 })
            {
                yield return [backend, n];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(BackendsAndRowCounts))]
    public void TwoVariableFunctionMatchesItsClosedForms(AcceleratorPreference backend, int n)
    {
        var engine = Engines.Get(backend);
        var rows = Engines.Points(2 * n, -1.5, 1.5, seed: n);
        var r = engine.Analyze<SinExpPolyF>(rows, DerivativeSet.All);
        Assert.AreEqual(n, r.Count);
        Assert.AreEqual(2, r.Arity);
        for (int i = 0; i < n; i++)
        {
            double x = rows[2 * i], y = rows[2 * i + 1];
            var (dx, dy) = SinExpPolyF.Gradient(x, y);
            var (dxx, dyy) = SinExpPolyF.HessianDiagonal(x, y);
            string at = $"{backend}, row {i} ({x}, {y})";
            AssertClose(SinExpPolyF.Value(x, y), r.Values[i], 1e-13, $"f at {at}");
            AssertClose(dx, r.GradientAt(i)[0], 1e-13, $"∂x f at {at}");
            AssertClose(dy, r.Gradient[2 * i + 1], 1e-13, $"∂y f at {at}");
            AssertClose(dxx, r.HessianDiagonalAt(i)[0], 1e-13, $"∂xx f at {at}");
            AssertClose(dyy, r.HessianDiagonal[2 * i + 1], 1e-13, $"∂yy f at {at}");
            AssertClose(dxx + dyy, r.Laplacian[i], 1e-13, $"Δf at {at}");
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void GaussianInFiveDimensionsHasTheKnownLaplacian(AcceleratorPreference backend)
    {
        const int n = 8197;
        var rows = Engines.Points(5 * n, -2, 2, seed: 3);
        var r = Engines.Get(backend).Analyze<GaussianF>(rows, DerivativeSet.Gradient | DerivativeSet.Laplacian);
        for (int i = 0; i < n; i += 97)
        {
            var p = rows.AsSpan(5 * i, 5);
            double squares = 0;
            foreach (double v in p)
            {
                squares += v * v;
            }

            double f = Math.Exp(-0.5 * squares);
            for (int d = 0; d < 5; d++)
            {
                AssertClose(-p[d] * f, r.GradientAt(i)[d], 1e-14, $"∂_{d} f, row {i}");
            }

            AssertClose((squares - 5) * f, r.Laplacian[i], 1e-13, $"Δf, row {i}");
        }

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => r.HessianDiagonal);
        StringAssert.Contains(e.Message, "Pass DerivativeSet.HessianDiagonal");
    }

    [TestMethod]
    public void SecondDerivativesMatchFiniteDifferencesOfTheGradient()
    {
        double[] row = [0.7, -0.4];
        var r = Engines.Get(AcceleratorPreference.Cpu).Analyze<SinExpPolyF>(row, DerivativeSet.All);
        const double h = 1e-5;
        for (int d = 0; d < 2; d++)
        {
            var plus = (double[])row.Clone();
            var minus = (double[])row.Clone();
            plus[d] += h;
            minus[d] -= h;
            double fd = (SinExpPolyF.Value(plus[0], plus[1]) - SinExpPolyF.Value(minus[0], minus[1])) / (2 * h);
            AssertClose(fd, r.Gradient[d], 1e-8, $"∂_{d} f vs central difference");
        }
    }

    [TestMethod]
    public void RowsThatAreNotWholePointsAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(
            () => Engines.Get(AcceleratorPreference.Cpu).Analyze<SinExpPolyF>([1.0, 2.0, 3.0], DerivativeSet.Gradient));
        StringAssert.Contains(e.Message, "not a multiple of 2");
        StringAssert.Contains(e.Message, "length 3");
        StringAssert.Contains(e.Message, "Pass n·2 values");
        Assert.AreEqual("rows", e.ParamName);
    }

    [TestMethod]
    public void AskingForNothingIsRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(
            () => Engines.Get(AcceleratorPreference.Cpu).Analyze<SinExpPolyF>([1.0, 2.0], DerivativeSet.None));
        StringAssert.Contains(e.Message, "at least one of Value, Gradient, HessianDiagonal, Laplacian");
    }

    [TestMethod]
    public void JetArgsMakesOnlyTheDirectionVary()
    {
        var args = JetArgs.Directional([2.0, 3.0, 5.0], direction: 1, order: 2);
        Assert.AreEqual(3, args.Count);
        CollectionAssert.AreEqual(new double[] { 2, 0, 0 }, args[0].ToArray());
        CollectionAssert.AreEqual(new double[] { 3, 1, 0 }, args[1].ToArray());
        Assert.IsTrue(double.IsNaN(args[7].Value), "out of range reads NaN (kernels cannot throw)");
        Assert.AreEqual(5, args.Point(2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => JetArgs.Directional([1.0], direction: 1, order: 1));
        Assert.ThrowsExactly<ArgumentException>(() => JetArgs.Directional(new double[JetArgs.MaxArity + 1], 0, 1));
    }
}
