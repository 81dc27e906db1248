using System.Numerics;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;
using TrainingDiagnostics.Kernels.Lanes;
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

    /// <summary>
    /// JetLanes4's unrolled order-4 code (products, exp, sin and cos when every operand has order 4) on jets
    /// with all coefficients non-zero, zeros and NaN among them: bit-identical to JetLanes's generic rules, and
    /// to rounding the scalar Jet's.
    /// </summary>
    [TestMethod]
    public void TheUnrolledOrderFourRulesAreBitIdenticalToTheGenericRules()
    {
        var points = Engines.Points(32 * JetLanes.Count, -3, 3, seed: 31);
        double[] special = [0, -0.0, 1e-300, double.NaN, 1e300, -1e5, 70000, 0.5];
        points = [.. points, .. special.Take(special.Length / JetLanes.Count * JetLanes.Count)];
        var random = new Random(5);
        for (int start = 0; start < points.Length; start += JetLanes.Count)
        {
            // u = x0 + t + a·t² + b·t³ + c·t⁴ per lane (a, b, c random, some zero), v = another such jet.
            var wide = JetLanes.Variable(new Vector<double>(points, start), 4);
            var four = JetLanes4.Variable(new Vector<double>(points, start), 4);
            var scalar = new Jet[JetLanes.Count];
            for (int l = 0; l < JetLanes.Count; l++)
            {
                scalar[l] = Jet.Variable(points[start + l], 4);
            }

            var wideV = wide;
            var fourV = four;
            var scalarV = (Jet[])scalar.Clone();
            for (int k = 2; k <= 4; k++)
            {
                var a = new double[JetLanes.Count];
                var b = new double[JetLanes.Count];
                for (int l = 0; l < JetLanes.Count; l++)
                {
                    a[l] = random.Next(4) == 0 ? 0 : 2 * random.NextDouble() - 1;
                    b[l] = 3 * random.NextDouble() - 1.5;
                    scalar[l].Set(k, a[l]);
                    scalarV[l].Set(k, b[l]);
                }

                wide.Set(k, new Vector<double>(a));
                four.Set(k, new Vector<double>(a));
                wideV.Set(k, new Vector<double>(b));
                fourV.Set(k, new Vector<double>(b));
            }

            var results = new (JetLanes Wide, JetLanes4 Four, Func<Jet, Jet, Jet> Scalar, string Name)[]
            {
                (wide * wideV, four * fourV, (u, v) => u * v, "u·v"),
                (JetLanes.Exp(wide), JetLanes4.Exp(four), (u, _) => Jet.Exp(u), "exp u"),
                (JetLanes.Sin(wide), JetLanes4.Sin(four), (u, _) => Jet.Sin(u), "sin u"),
                (JetLanes.Cos(wideV), JetLanes4.Cos(fourV), (_, v) => Jet.Cos(v), "cos v"),
                (JetLanes.Exp(JetLanes.Sin(wide)) * wide * wideV, JetLanes4.Exp(JetLanes4.Sin(four)) * four * fourV,
                    (u, v) => Jet.Exp(Jet.Sin(u)) * u * v, "exp(sin u)·u·v"),
            };
            foreach (var (w, f, scalarRule, name) in results)
            {
                Assert.AreEqual(4, f.Order, name);
                for (int l = 0; l < JetLanes.Count; l++)
                {
                    var expected = scalarRule(scalar[l], scalarV[l]);
                    for (int k = 0; k <= 4; k++)
                    {
                        double fast = f[k][l];
                        Assert.AreEqual(BitConverter.DoubleToInt64Bits(w[k][l]), BitConverter.DoubleToInt64Bits(fast), $"{name}: coefficient {k}, x = {points[start + l]}");
                        if (Math.Abs(points[start + l]) < 10)
                        {
                            AssertClose(expected[k], fast, 1e-13, $"{name} against Jet: coefficient {k}, x = {points[start + l]}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>The smaller lane jets run the very same rules on fewer coefficients: bit-identical to JetLanes.</summary>
    [TestMethod]
    public void TheSmallerLaneJetsAreBitIdenticalToJetLanes()
    {
        var points = Engines.Points(64 * JetLanes.Count, -2.5, 2.5, seed: 21);
        double[] edges = [0, 1, -1, 0.5, -0.5, 2, 0, 1e-300, -0.0, 3, 0.25, 0.75];
        points = [.. points, .. edges.Take(edges.Length / JetLanes.Count * JetLanes.Count)];
        for (int start = 0; start < points.Length; start += JetLanes.Count)
        {
            var x = new Vector<double>(points, start);
            for (int order = 0; order <= 4; order++)
            {
                var wide = default(GenericEveryRuleF).Invoke(JetLanes.Variable(x, order));
                var four = default(GenericEveryRuleF).Invoke(JetLanes4.Variable(x, order));
                var wideEdges = default(GenericEdgesF).Invoke(JetLanes.Variable(x, order));
                var fourEdges = default(GenericEdgesF).Invoke(JetLanes4.Variable(x, order));
                for (int l = 0; l < JetLanes.Count; l++)
                {
                    CollectionAssert.AreEqual(wide.Lane(l).ToArray(), four.Lane(l).ToArray(), $"order {order}, x = {points[start + l]}");
                    CollectionAssert.AreEqual(wideEdges.Lane(l).ToArray(), fourEdges.Lane(l).ToArray(), $"edges, order {order}, x = {points[start + l]}");
                    if (order <= 1)
                    {
                        var one = default(GenericEveryRuleF).Invoke(JetLanes1.Variable(x, order));
                        var oneEdges = default(GenericEdgesF).Invoke(JetLanes1.Variable(x, order));
                        CollectionAssert.AreEqual(wide.Lane(l).ToArray(), one.Lane(l).ToArray(), $"order {order}, x = {points[start + l]}");
                        CollectionAssert.AreEqual(wideEdges.Lane(l).ToArray(), oneEdges.Lane(l).ToArray(), $"edges, order {order}, x = {points[start + l]}");
                    }
                }
            }
        }

        Assert.AreEqual(4, JetLanes4.Variable(Vector<double>.One, 8).Order, "orders are clamped into the capacity");
        Assert.AreEqual(1, JetLanes1.Variable(Vector<double>.One, 8).Order, "orders are clamped into the capacity");
    }

    /// <summary>
    /// sin' by the order-1 lane path of the executor: every value and derivative within 2 ulp of Math.Sin and
    /// Math.Cos (VectorMath's bound; the Taylor step u_1·cos is a product by 1, exact), at every length.
    /// </summary>
    [TestMethod]
    [DataRow(1)]
    [DataRow(17)]
    [DataRow(1025)]
    [DataRow(8197)]
    [DataRow(1_000_000)]
    public void TheOrderOneLanePathGivesSinAndCosWithinTwoUlps(int n)
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(n, -40, 40, seed: n + 3);
        var lanes = engine.Derivatives<GenericSinF>(x, 1);
        var scalar = engine.Derivatives<SinF>(x, 1);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Max(Ulps(Math.Sin(x[i]), lanes[0][i]), Ulps(Math.Cos(x[i]), lanes[1][i])));
            worst = Math.Max(worst, Math.Max(Ulps(scalar[0][i], lanes[0][i]), Ulps(scalar[1][i], lanes[1][i])));
        }

        Assert.IsTrue(worst <= 2, $"worst error {worst} ulp");
        var zeroOrder = engine.Derivatives<GenericSinF>(x, 0);
        CollectionAssert.AreEqual(lanes[0], zeroOrder[0], "order 0 gives the same values as order 1");
    }

    /// <summary>Orders 0..8 through the three lane capacities of the executor agree with the scalar Jet path.</summary>
    [TestMethod]
    public void EveryLaneCapacityOfTheExecutorAgreesWithTheScalarPath()
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(4099, -2, 2, seed: 5);
        for (int order = 0; order <= Jet.MaxOrder; order++)
        {
            var lanes = engine.Derivatives<GenericEveryRuleF>(x, order);
            for (int i = 0; i < x.Length; i++)
            {
                var direct = default(GenericEveryRuleF).Invoke(Jet.Variable(x[i], order));
                for (int k = 0; k <= order; k++)
                {
                    // Compared as Taylor coefficients (the executor's k!·coefficient divided back by k!, one more
                    // rounding): the lane rules differ from Jet's only by exp/sin/cos within 2 ulp, which the
                    // recurrences carry into sums of terms larger than their results; 1e-14 as for the rules above.
                    AssertClose(direct[k], lanes[k][i] / PointwiseKernels.Factorial(k), 1e-14, $"order {order}, k = {k}, x = {x[i]}");
                }
            }
        }
    }

    [TestMethod]
    public void CoefficientsBeyondALoweredOrderAreNaNOnTheLanePathToo()
    {
        var engine = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(37, -1, 1, seed: 2);
        foreach (int order in new[] { 1, 3, 6 })
        {
            var d = engine.Derivatives<GenericLowersOrderF>(x, order);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.AreEqual(2 * x[i], d[0][i], $"value at {x[i]}");
                for (int k = 1; k <= order; k++)
                {
                    Assert.IsTrue(double.IsNaN(d[k][i]), $"order {order}, k = {k}: {d[k][i]}");
                }
            }
        }
    }

    private static double Ulps(double expected, double actual)
    {
        double ulp = Math.Max(Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected), double.Epsilon);
        return Math.Abs(actual - expected) / ulp;
    }
}
