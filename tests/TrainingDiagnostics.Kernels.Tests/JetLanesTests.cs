using System.Numerics;
using TrainingDiagnostics.Kernels;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>JetLanes gives, lane by lane, exactly Jet's numbers; the CPU executor's lane path gives the scalar path's.</summary>
[TestClass]
public sealed class JetLanesTests
{
    [TestMethod]
    public void EveryRuleOnLanesIsBitIdenticalToTheScalarRule()
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
                    CollectionAssert.AreEqual(scalar.ToArray(), lanes.Lane(l).ToArray(), $"order {order}, x = {points[start + l]}");
                }
            }
        }
    }

    [TestMethod]
    public void DomainEdgesOnLanesFollowTheScalarRules()
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
    public void TheLanePathOfTheCpuExecutorGivesTheScalarPathsNumbers(int n)
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(n, -3, 3, seed: n + 1);
        var scalar = engine.Derivatives<ExpSinTimesSquareF>(x, 4);
        var lanes = engine.Derivatives<GenericExpSinTimesSquareF>(x, 4);
        for (int k = 0; k <= 4; k++)
        {
            CollectionAssert.AreEqual(scalar[k], lanes[k], $"order {k}");
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
                AssertClose(direct.Derivative(k), d[k][i], backend == AcceleratorPreference.Cuda ? 1e-13 : 0, $"{backend} order {k} at {x[i]}");
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
