using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

[TestClass]
public sealed class CurvatureTests
{
    private static readonly double[] MixedSpectrum = Enumerable.Range(0, 40).Select(i => (i % 3 == 0 ? -1.0 : 1.0) * (1 + 0.25 * i)).ToArray();

    [TestMethod]
    public void HutchinsonTraceIsWithinFourStandardErrorsOfTheTruth()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        var estimate = Curvature.Trace(h);
        double truth = MixedSpectrum.Sum();
        Assert.AreEqual(TraceMethod.Hutchinson, estimate.Method);
        Assert.IsTrue(estimate.MatVecs is >= 30 and <= 100, $"matvecs {estimate.MatVecs}");
        Assert.IsTrue(estimate.StandardError > 0);
        Assert.IsTrue(Math.Abs(estimate.Value - truth) <= 4 * estimate.StandardError,
            $"estimate {estimate.Value} ± {estimate.StandardError}, truth {truth}");
    }

    [TestMethod]
    public void HutchPlusPlusTraceIsWithinFourStandardErrorsOfTheTruth()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        var estimate = Curvature.Trace(h, new TraceOptions { Method = TraceMethod.HutchPlusPlus, MaxMatVecs = 30 });
        Assert.AreEqual(30, estimate.MatVecs);
        Assert.IsTrue(estimate.StandardError > 0);
        Assert.IsTrue(Math.Abs(estimate.Value - MixedSpectrum.Sum()) <= 4 * estimate.StandardError,
            $"estimate {estimate.Value} ± {estimate.StandardError}, truth {MixedSpectrum.Sum()}");
    }

    [TestMethod]
    public void HutchPlusPlusBeatsHutchinsonAtEqualMatVecsOnADecayingSpectrum()
    {
        using var scope = NewDisposeScope();
        var spectrum = TestProblems.Decaying(120);
        var a = TestProblems.Matrix(spectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(120));
        double truth = spectrum.Sum();
        double hutchinson = 0, hutchPlusPlus = 0;
        const int Seeds = 8;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var plain = Curvature.Trace(h, new TraceOptions { MaxMatVecs = 60, MinMatVecs = 60, Tolerance = 0, Seed = seed });
            var plus = Curvature.Trace(h, new TraceOptions { Method = TraceMethod.HutchPlusPlus, MaxMatVecs = 60, Seed = seed });
            Assert.AreEqual(60, plain.MatVecs);
            Assert.AreEqual(60, plus.MatVecs);
            hutchinson += Math.Abs(plain.Value - truth) / Seeds;
            hutchPlusPlus += Math.Abs(plus.Value - truth) / Seeds;
        }
        Assert.IsTrue(hutchPlusPlus < 0.25 * hutchinson,
            $"mean |error| over {Seeds} seeds at 60 matvecs: Hutch++ {hutchPlusPlus:E3}, Hutchinson {hutchinson:E3} (ratio {hutchPlusPlus / hutchinson:F3})");
    }

    [TestMethod]
    public void TraceWithTheSameSeedRepeatsAndLeavesTheGlobalRngAlone()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        var rng = get_rng_state().data<byte>().ToArray();
        Assert.AreEqual(Curvature.Trace(h).Value, Curvature.Trace(h).Value);
        Assert.AreNotEqual(Curvature.Trace(h).Value, Curvature.Trace(h, new TraceOptions { Seed = 1 }).Value);
        CollectionAssert.AreEqual(rng, get_rng_state().data<byte>().ToArray());
    }

    [TestMethod]
    public void TopEigenvaluesOfASmallNetworkMatchEigvalshOfItsFullHessian()
    {
        using var scope = NewDisposeScope();
        using var mlp = new TestProblems.TinyMlp();
        var hessian = TrainingDiagnostics.Autodiff.Hessian(mlp.LossOf, mlp.FlatParameters());
        var exact = TensorAssert.Values(linalg.eigvalsh(hessian)).OrderByDescending(Math.Abs).Take(3).ToArray();
        using var h = HessianOperator.ForLoss(mlp.Model, mlp.Loss);
        var estimate = Curvature.TopEigenvalues(h, 3, new EigenOptions { MaxMatVecs = 32 });
        Assert.IsTrue(estimate.Converged);
        Assert.IsTrue(estimate.MatVecs <= 32);
        for (int i = 0; i < 3; i++)
            Assert.AreEqual(exact[i], estimate.Values[i], 1e-9 * Math.Abs(exact[0]), $"eigenvalue {i}: exact {string.Join(", ", exact)}");
    }

    [TestMethod]
    public void TopEigenvaluesAreByDescendingMagnitudeWithinTheirResiduals()
    {
        using var scope = NewDisposeScope();
        var spectrum = new[] { 3.0, -10.0, 7.0, 0.5, 0.4, 0.3, 0.2, 0.1, -0.1, -0.2 }.Concat(Enumerable.Repeat(0.05, 190)).ToArray();
        var a = TestProblems.Matrix(spectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(200));
        var estimate = Curvature.TopEigenvalues(h, 3);
        Assert.IsTrue(estimate.Converged, $"residuals {string.Join(", ", estimate.Residuals)}");
        Assert.IsTrue(estimate.MatVecs < 100, "an isolated top of the spectrum converges well before the budget");
        var expected = new[] { -10.0, 7.0, 3.0 };
        for (int i = 0; i < 3; i++)
            Assert.AreEqual(expected[i], estimate.Values[i], Math.Max(estimate.Residuals[i], 1e-9), $"eigenvalue {i}");
    }

    [TestMethod]
    public void TopEigenvaluesReportNotConvergedWhenTheBudgetIsTiny()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(Enumerable.Range(1, 50).Select(i => 1.0 + 0.01 * i).ToArray());
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(50));
        var estimate = Curvature.TopEigenvalues(h, 1, new EigenOptions { MaxMatVecs = 3 });
        Assert.IsFalse(estimate.Converged);
        Assert.AreEqual(3, estimate.MatVecs);
        Assert.AreEqual(1, estimate.Values.Length);
        Assert.IsTrue(estimate.Residuals[0] > 0);
    }

    [TestMethod]
    public void DensityIntegratesToOneAndMatchesTheFirstTwoMomentsOfADiagonalHessianExactly()
    {
        using var scope = NewDisposeScope();
        var spectrum = TestProblems.Decaying(60).Select((l, i) => i % 2 == 0 ? 5 * l : -l).ToArray();
        var a = TestProblems.Matrix(spectrum, rotate: false);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(60));
        var density = Curvature.Density(h, new DensityOptions { Runs = 3, StepsPerRun = 20 });
        Assert.AreEqual(60, density.MatVecs);
        Assert.AreEqual(1.0, density.Weights.Sum(), 1e-12);
        // A Rademacher start z/√n gives zᵀHᵖz/n = tr(Hᵖ)/n exactly for diagonal H, and Lanczos quadrature is exact for low moments.
        Assert.AreEqual(spectrum.Sum() / 60, density.Moment(1), 1e-12);
        Assert.AreEqual(spectrum.Sum(l => l * l) / 60, density.Moment(2), 1e-12);

        double sigma = 0.05;
        var grid = density.Grid(4001, sigma);
        var values = density.Evaluate(grid, sigma);
        double integral = 0;
        for (int i = 1; i < grid.Length; i++)
            integral += 0.5 * (values[i] + values[i - 1]) * (grid[i] - grid[i - 1]);
        Assert.AreEqual(1.0, integral, 1e-3);
    }

    [TestMethod]
    public void DensityMomentsOfARotatedHessianAreWithinFourStandardErrors()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        const int Runs = 6;
        var density = Curvature.Density(h, new DensityOptions { Runs = Runs, StepsPerRun = 10 });
        int n = MixedSpectrum.Length;
        // Per run, the p-th moment is zᵀAᵖz/n with Rademacher z: variance 2 Σ_{i≠j} (Aᵖ)_ij² / n².
        foreach (int p in new[] { 1, 2 })
        {
            var ap = p == 1 ? a : a.matmul(a);
            double offDiagonal = (ap.pow(2).sum() - ap.diagonal().pow(2).sum()).ToDouble();
            double se = Math.Sqrt(2 * offDiagonal / Runs) / n;
            double truth = MixedSpectrum.Sum(l => Math.Pow(l, p)) / n;
            Assert.IsTrue(Math.Abs(density.Moment(p) - truth) <= 4 * se, $"moment {p}: {density.Moment(p)} vs {truth} (se {se})");
        }
    }

    [TestMethod]
    public void DiagonalIsWithinFourStandardErrorsOfTheTrueDiagonal()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        var estimate = Curvature.Diagonal(h);
        var truth = TensorAssert.Values(a.diagonal());
        Assert.AreEqual(100, estimate.MatVecs);
        for (int i = 0; i < truth.Length; i++)
            Assert.IsTrue(Math.Abs(estimate.Values[i] - truth[i]) <= 4 * estimate.StandardErrors[i],
                $"entry {i}: {estimate.Values[i]} ± {estimate.StandardErrors[i]} vs {truth[i]}");
    }

    [TestMethod]
    public void DiagonalOfADiagonalHessianIsExactWithZeroError()
    {
        using var scope = NewDisposeScope();
        var a = TestProblems.Matrix(MixedSpectrum, rotate: false);
        using var h = HessianOperator.ForFunction(TestProblems.QuadraticForm(a), TestProblems.Point(40));
        var estimate = Curvature.Diagonal(h, new DiagonalOptions { MaxMatVecs = 3 });
        CollectionAssert.AreEqual(MixedSpectrum, estimate.Values);
        Assert.IsTrue(estimate.StandardErrors.All(se => se == 0));
    }
}
