using System.Numerics;
using TrainingDiagnostics.Kernels;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>
/// JetLanes gives, lane by lane, Jet's numbers to rounding (its exp, sin and cos are vector polynomials within
/// 2 ulp of Math's) and exactly Jet's at domain edges; the CPU executor's lane path agrees with the scalar path.
/// </summary>
[TestClass]
public sealed class JetLanesTests
{
    [TestMethod]
    public void EveryRuleOnLanesAgreesWithTheScalarRule()
    {
        var points = Engines.Points(64 * JetLanes.Count, -2.5, 2.5, seed: 11);
        for (int order = 0; order <= Jet.MaxOrder; order += 2)
        {
            for (int start = 0; start < points.Length; start += JetLanes.Count)
            {
                var x = new Vector<double>(points, start);
                var lanes = default(GenericEveryRuleF).Invoke(JetLanes.Variable(x, order));
                for (int l = 0; l < JetLanes.Count; l++)
                {
                    var scalar = default(GenericEveryRuleF).Invoke(Jet.Variable(points[start + l], order));
                    for (int k = 0; k <= order; k++)
                    {
                        AssertClose(scalar[k], lanes.Lane(l)[k], 1e-14, $"coefficient {k} of order {order}, x = {points[start + l]}");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void DomainEdgesOnLanesFollowTheScalarRulesExactly()
    {
        double[] edges = [0, 1, -1, 0.5, -0.5, 2, 0, double.NaN, 1e-300, -0.0, 3, 0.25];
        var points = edges.Concat(Enumerable.Repeat(0.75, JetLanes.Count)).Take((edges.Length / JetLanes.Count + 1) * JetLanes.Count).ToArray();
        for (int start = 0; start + JetLanes.Count <= points.Length; start += JetLanes.Count)
        {
            var lanes = default(GenericEdgesF).Invoke(JetLanes.Variable(new Vector<double>(points, start), 4));
            for (int l = 0; l < JetLanes.Count; l++)
            {
                var scalar = default(GenericEdgesF).Invoke(Jet.Variable(points[start + l], 4));
                CollectionAssert.AreEqual(scalar.ToArray(), lanes.Lane(l).ToArray(), $"x = {points[start + l]}");
            }
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(17)]
    [DataRow(1025)]
    [DataRow(8197)]
    public void TheLanePathOfTheCpuExecutorAgreesWithTheScalarPath(int n)
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(n, -3, 3, seed: n + 1);
        var scalar = engine.Derivatives<ExpSinTimesSquareF>(x, 4);
        var lanes = engine.Derivatives<GenericExpSinTimesSquareF>(x, 4);
        for (int k = 0; k <= 4; k++)
        {
            for (int i = 0; i < n; i++)
            {
                // Derivatives are k!·coefficient and sums of terms larger than themselves: 1e-13.
                AssertClose(scalar[k][i], lanes[k][i], 1e-13, $"order {k}, point {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    [DataRow(AcceleratorPreference.Cuda)]
    public void AGenericBodyRunsInKernelsToo(AcceleratorPreference backend)
    {
        var x = Engines.Points(1025, -2, 2, seed: 9);
        var d = Engines.Get(backend).Derivatives<GenericEveryRuleF>(x, 3);
        for (int i = 0; i < x.Length; i++)
        {
            var direct = default(GenericEveryRuleF).Invoke(Jet.Variable(x[i], 3));
            for (int k = 0; k <= 3; k++)
            {
                // The CPU accelerator runs the scalar Jet code exactly; the Cpu executor takes the lane path.
                double tolerance = backend switch { AcceleratorPreference.CpuAccelerator => 0, _ => 1e-13 };
                AssertClose(direct.Derivative(k), d[k][i], tolerance, $"{backend} order {k} at {x[i]}");
            }
        }
    }

    [TestMethod]
    public void LanesHaveJetsAccessors()
    {
        var v = JetLanes.Variable(new Vector<double>(2.0), 3);
        Assert.AreEqual(3, v.Order);
        Assert.AreEqual(new Vector<double>(2.0), v.Value);
        Assert.AreEqual(new Vector<double>(1.0), v[1]);
        Assert.IsTrue(double.IsNaN(v[4][0]), "beyond the order: NaN");
        var c = JetLanes.Constant(5, 2);
        CollectionAssert.AreEqual(new double[] { 5, 0, 0 }, c.Lane(JetLanes.Count - 1).ToArray());
        StringAssert.Contains(v.ToString(), "Jet[3](2, 1, 0, 0)");
    }
}
