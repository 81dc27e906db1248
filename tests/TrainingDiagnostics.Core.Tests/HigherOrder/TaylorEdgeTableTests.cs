using System.Numerics;
using TorchSharp;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

/// <summary>
/// The one edge-case table of the Taylor rules (domains, limits at 0, integer powers), run against every instantiation
/// of the one rule set: the Kernels' scalar <see cref="Jet"/>, the SIMD <see cref="JetLanes"/> (the row's input in
/// lane 0, ordinary points in the other lanes, so that edges are decided lane by lane; the executor's smaller lane jets
/// are bit-identical to it, JetLanesTests) and Core's tensor jets of <c>Taylor.Forward</c> (the row's input as element 0 of a tensor). The expected
/// coefficients are closed forms of u(t) = c0 + c1·t, written out by hand (binomial series, one-sided limits).
/// </summary>
[TestClass]
public sealed class TaylorEdgeTableTests
{
    private const int Order = 4;
    private const double Inf = double.PositiveInfinity;
    private const double NaN = double.NaN;

    public enum Rule
    {
        Log,
        Sqrt,
        Pow,
        Abs,
    }

    /// <summary>Rows: rule, exponent (Pow only), c0, c1, the expected Taylor coefficients 0..4, what the row pins.</summary>
    public static IEnumerable<object[]> Table =>
    [
        [Rule.Log, 0.0, 1.0, 1.0, new[] { 0, 1, -1 / 2.0, 1 / 3.0, -1 / 4.0 }, "log(1+t): the series"],
        [Rule.Log, 0.0, 0.0, 1.0, new[] { -Inf, NaN, NaN, NaN, NaN }, "log at 0: −∞, no series"],
        [Rule.Log, 0.0, -1.0, 1.0, new[] { NaN, NaN, NaN, NaN, NaN }, "log below 0: NaN"],
        [Rule.Sqrt, 0.0, 4.0, 1.0, new[] { 2, 1 / 4.0, -1 / 64.0, 1 / 512.0, -5 / 16384.0 }, "√(4+t): the series"],
        [Rule.Sqrt, 0.0, 0.0, 1.0, new[] { 0, Inf, -Inf, Inf, -Inf }, "√t at 0⁺: one-sided limits"],
        [Rule.Sqrt, 0.0, 0.0, 0.0, new double[] { 0, 0, 0, 0, 0 }, "√0 of an identically zero u: 0"],
        [Rule.Sqrt, 0.0, 0.0, -1.0, new[] { 0, NaN, NaN, NaN, NaN }, "√(−t): no one-sided series"],
        [Rule.Sqrt, 0.0, -1.0, 1.0, new[] { NaN, NaN, NaN, NaN, NaN }, "√ below 0: NaN"],
        [Rule.Pow, 2.5, 0.0, 1.0, new[] { 0, 0, 0, Inf, -Inf }, "t^2.5 at 0⁺: 0 below the exponent, ±∞ above"],
        [Rule.Pow, -1.5, 0.0, 1.0, new[] { Inf, -Inf, Inf, -Inf, Inf }, "t^−1.5 at 0⁺: a pole, signs of the falling factorial"],
        [Rule.Pow, 2.5, 0.0, 0.0, new double[] { 0, 0, 0, 0, 0 }, "0^2.5 of an identically zero u: 0"],
        [Rule.Pow, -1.5, 0.0, 0.0, new[] { Inf, NaN, NaN, NaN, NaN }, "0^−1.5 of an identically zero u: ∞, then NaN"],
        [Rule.Pow, 2.5, 1.0, 1.0, new[] { 1, 2.5, 2.5 * 1.5 / 2, 2.5 * 1.5 * 0.5 / 6, 2.5 * 1.5 * 0.5 * -0.5 / 24 }, "(1+t)^2.5: the binomial series"],
        [Rule.Pow, 0.0, 0.0, 1.0, new double[] { 1, 0, 0, 0, 0 }, "u^0 = 1, at 0 too"],
        [Rule.Pow, 2.0, 0.0, 1.0, new double[] { 0, 0, 1, 0, 0 }, "t²: integer powers are products, smooth at 0"],
        [Rule.Pow, 3.0, -2.0, 1.0, new double[] { -8, 12, -6, 1, 0 }, "(t−2)³: a negative base"],
        [Rule.Pow, 100.0, 0.0, 1.0, new double[] { 0, 0, 0, 0, 0 }, "t^100: the product path beyond 64"],
        [Rule.Pow, 1048576.0, 0.0, 1.0, new double[] { 0, 0, 0, 0, 0 }, "t^(2^20): the product path up to 2^20"],
        [Rule.Pow, -1.0, -2.0, 1.0, new[] { -1 / 2.0, -1 / 4.0, -1 / 8.0, -1 / 16.0, -1 / 32.0 }, "(t−2)^−1: negative integers are products and a reciprocal"],
        [Rule.Pow, -2.0, 1.0, 1.0, new double[] { 1, -2, 3, -4, 5 }, "(1+t)^−2"],
        [Rule.Abs, 0.0, 0.0, 1.0, new double[] { 0, 1, 0, 0, 0 }, "|t| at 0: the sign of the leading coefficient"],
        [Rule.Abs, 0.0, 0.0, -1.0, new double[] { 0, 1, 0, 0, 0 }, "|−t| = t"],
        [Rule.Abs, 0.0, -2.0, 1.0, new double[] { 2, -1, 0, 0, 0 }, "|t−2| = 2−t"],
    ];

    public static string RowName(System.Reflection.MethodInfo method, object[] row) => $"{row[0]} {row[1]} at {row[2]} + {row[3]}·t ({row[5]})";

    [TestMethod]
    [DynamicData(nameof(Table), DynamicDataDisplayName = nameof(RowName))]
    public void EveryInstantiationFollowsTheEdgeTable(Rule rule, double r, double c0, double c1, double[] expected, string what)
    {
        Check(expected, OnJet(rule, r, c0, c1), $"Jet: {what}");
        Check(expected, OnLanes(rule, r, c0, c1), $"JetLanes: {what}");
        Check(expected, OnTensors(rule, r, c0, c1), $"TensorJet: {what}");
    }

    private static double[] OnJet(Rule rule, double r, double c0, double c1)
        => Apply(rule, r, Jet.Variable(0, Order) * c1 + c0).ToArray();

    private static double[] OnLanes(Rule rule, double r, double c0, double c1)
    {
        // Lane 0 holds the row; the others ordinary points (1.5, 2.5, ...), which must match the scalar rule there.
        var values = new double[Vector<double>.Count];
        for (int l = 0; l < values.Length; l++)
            values[l] = l == 0 ? c0 : l + 0.5;
        var u = JetLanes.Variable(Vector<double>.Zero, Order) * c1 + JetLanes.Constant(new Vector<double>(values), Order);
        var y = Apply(rule, r, u);
        for (int l = 1; l < values.Length; l++)
        {
            var scalar = Apply(rule, r, Jet.Variable(0, y.Order) * c1 + values[l]).ToArray();
            Check(scalar, y.Lane(l).ToArray(), $"lane {l} at {values[l]}");
        }

        return y.Lane(0).ToArray();
    }

    private static T Apply<T>(Rule rule, double r, T u)
        where T : struct, IJet<T>
        => rule switch
        {
            Rule.Log => T.Log(u),
            Rule.Sqrt => T.Sqrt(u),
            Rule.Pow => T.Pow(u, r),
            _ => T.Abs(u),
        };

    private static double[] OnTensors(Rule rule, double r, double c0, double c1)
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { c0, 1.5, 2.5 }, ScalarType.Float64);
        var v = full(3, c1, ScalarType.Float64);
        var u = TensorJet.Line(x, v, Order);
        var y = rule switch
        {
            Rule.Log => JetRules.Log(ref u),
            Rule.Sqrt => JetRules.Sqrt(ref u),
            Rule.Pow => JetRules.Pow(ref u, r),
            _ => JetRules.Abs(ref u),
        };
        return y.C.Select(c => c[0].item<double>()).ToArray();
    }

    private static void Check(double[] expected, double[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: order");
        for (int k = 0; k < expected.Length; k++)
        {
            string message = $"{what}: coefficient {k} is {actual[k]}, expected {expected[k]}";
            if (double.IsNaN(expected[k]) || double.IsInfinity(expected[k]))
                Assert.AreEqual(expected[k], actual[k], message);
            else
                Assert.IsTrue(Math.Abs(actual[k] - expected[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected[k])), message);
        }
    }
}
