using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

[TestClass]
public sealed class TaylorTests
{
    private static Sequential EveryLayer()
    {
        var generator = new Generator(17, CPU);
        var model = nn.Sequential(
            ("fc1", nn.Linear(3, 6, dtype: ScalarType.Float64)),
            ("tanh", nn.Tanh()),
            ("fc2", nn.Linear(6, 6, dtype: ScalarType.Float64)),
            ("sigmoid", nn.Sigmoid()),
            ("fc3", nn.Linear(6, 5, dtype: ScalarType.Float64)),
            ("softplus", nn.Softplus(beta: 1.5)),
            ("inner", nn.Sequential(("fc4", nn.Linear(5, 5, dtype: ScalarType.Float64)), ("silu", nn.SiLU()), ("id", nn.Identity()))),
            ("fc5", nn.Linear(5, 4, dtype: ScalarType.Float64)),
            ("leaky", nn.LeakyReLU(0.1)),
            ("relu", nn.ReLU()),
            ("drop", nn.Dropout(0.5)),
            ("fc6", nn.Linear(4, 2, dtype: ScalarType.Float64)));
        using (no_grad())
            foreach (var p in model.parameters())
                p.copy_(randn(p.shape, ScalarType.Float64, generator: generator));
        model.eval();
        return model;
    }

    [TestMethod]
    public void JetsThroughASequentialMatchNestedAutogradAtOrdersOneToSix()
    {
        using var scope = NewDisposeScope();
        var model = EveryLayer();
        var generator = new Generator(4, CPU);
        var x = randn(new long[] { 7, 3 }, ScalarType.Float64, generator: generator);
        var v = randn(new long[] { 7, 3 }, ScalarType.Float64, generator: generator);
        for (int order = 1; order <= 6; order++)
        {
            var jets = Taylor.Forward(model, x, v, order);
            var autograd = Taylor.DirectionalDerivatives(t => model.call(t), x, v, order);
            Assert.AreEqual(order + 1, jets.Length);
            for (int k = 0; k <= order; k++)
                TensorAssert.AreClose(autograd[k], jets[k], rtol: 1e-9, atol: 1e-9, $"order {order}, derivative {k}");
        }
    }

    [TestMethod]
    public void EveryJetRuleMatchesNestedAutogradToOrderFive()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.3, 1.7, 0.9, 2.4 }, ScalarType.Float64);
        var w0 = tensor(new[] { 1.1, -0.4, 2.0, 0.6 }, ScalarType.Float64);
        var v = tensor(new[] { 0.8, -1.2, 0.5, 0.3 }, ScalarType.Float64);
        var cases = new (string Name, Func<TensorJet, TensorJet> Jet, Func<Tensor, Tensor> Tensor)[]
        {
            ("add", u => u + JetRules.Exp(ref u), t => t + t.exp()),
            ("subtract", u => u - JetRules.Sin(ref u), t => t - t.sin()),
            ("multiply", u => u * JetRules.Cos(ref u), t => t * t.cos()),
            ("divide", u => JetRules.Sin(ref u) / JetRules.AddConstant(JetRules.Square(ref u), ones_like(x)), t => t.sin() / (t.square() + 1)),
            ("exp", u => JetRules.Exp(ref u), t => t.exp()),
            ("log", u => JetRules.Log(ref u), t => t.log()),
            ("sin", u => JetRules.Sin(ref u), t => t.sin()),
            ("cos", u => JetRules.Cos(ref u), t => t.cos()),
            ("tanh", u => JetRules.Tanh(ref u), t => t.tanh()),
            ("sigmoid", u => JetRules.Sigmoid(ref u), t => t.sigmoid()),
            ("softplus", u => JetRules.Softplus(u), t => nn.functional.softplus(t)),
            ("softplus beta 2 threshold 3", u => JetRules.Softplus(u, 2, 3), t => nn.functional.softplus(t, 2, 3)),
            ("relu", u => JetRules.Relu(u - TensorJet.Constant(ones_like(x), 5)), t => (t - 1).relu()),
            ("leaky relu", u => JetRules.LeakyRelu(u - TensorJet.Constant(ones_like(x), 5), 0.2), t => nn.functional.leaky_relu(t - 1, 0.2)),
            ("silu", JetRules.Silu, t => nn.functional.silu(t)),
            ("square", u => JetRules.Square(ref u), t => t.square()),
            ("sqrt", u => JetRules.Sqrt(ref u), t => t.sqrt()),
            ("pow 2.5", u => JetRules.Pow(ref u, 2.5), t => t.pow(2.5)),
            ("pow -1.5", u => JetRules.Pow(ref u, -1.5), t => t.pow(-1.5)),
            ("pow 3", u => JetRules.Pow(ref u, 3), t => t.pow(3)),
            ("scale", u => u * 2.5, t => t * 2.5),
            ("sum", u => JetRules.Sum(JetRules.Exp(ref u)), t => t.exp().sum()),
            ("mean", u => JetRules.Mean(JetRules.Tanh(ref u)), t => t.tanh().mean()),
            ("linear", u => JetRules.Linear(u, w0.reshape(1, 4), tensor(new[] { 0.5 }, ScalarType.Float64)), t => nn.functional.linear(t, w0.reshape(1, 4), tensor(new[] { 0.5 }, ScalarType.Float64))),
        };
        foreach (var (name, jetRule, function) in cases)
        {
            var jets = jetRule(TensorJet.Line(x, v, 5)).Derivatives();
            var autograd = Taylor.DirectionalDerivatives(function, x, v, 5);
            for (int k = 0; k <= 5; k++)
                TensorAssert.AreClose(autograd[k], jets[k], rtol: 1e-10, atol: 1e-10, $"{name}, derivative {k}");
        }
    }

    [TestMethod]
    public void IntegerPowersAreExactWhereTheValueIsZero()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, ScalarType.Float64);
        var v = tensor(new[] { 1.0, 2.0, -1.0 }, ScalarType.Float64);
        var line = TensorJet.Line(x, v, 4);
        var d = JetRules.Pow(ref line, 3).Derivatives();
        // (t v)^3: third derivative 6 v^3, all others 0.
        TensorAssert.IsZero(d[2]);
        TensorAssert.AreClose(6 * v.pow(3), d[3], 0, 1e-15);
        TensorAssert.IsZero(d[4]);
    }

    [TestMethod]
    public void DirectionalDerivativesMatchAnalyticDerivativesOfSinAndExp()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.2, -1.3, 2.2 }, ScalarType.Float64);
        var v = tensor(new[] { 1.5, 0.5, -0.7 }, ScalarType.Float64);
        var sin = Taylor.DirectionalDerivatives(t => t.sin(), x, v, 6);
        var exp = Taylor.DirectionalDerivatives(t => t.exp().sum(), x, v, 6);
        for (int k = 0; k <= 6; k++)
        {
            // d^k/dt^k sin(x + t v) = v^k sin(x + kπ/2); d^k/dt^k Σ exp(x + t v) = Σ v^k exp(x).
            TensorAssert.AreClose(v.pow(k) * (x + k * Math.PI / 2).sin(), sin[k], 1e-12, 1e-12, $"sin, order {k}");
            TensorAssert.AreClose((v.pow(k) * x.exp()).sum(), exp[k], 1e-12, 1e-12, $"exp, order {k}");
        }
    }

    [TestMethod]
    public void DirectionalDerivativesMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.4, -0.8, 1.1 }, ScalarType.Float64);
        var v = tensor(new[] { 0.3, 0.9, -0.5 }, ScalarType.Float64);
        Tensor F(Tensor z) => (z.sin() * z.roll(1)).sum() + z.pow(2).sum().sqrt();
        double G(double t)
        {
            using var s = NewDisposeScope();
            return F(x + t * v).ToDouble();
        }
        var d = Taylor.DirectionalDerivatives(F, x, v, 4);
        for (int k = 1; k <= 4; k++)
            Assert.AreEqual(FiniteDifferences.ScalarDerivative(G, 0, k, h: 1e-2), d[k].ToDouble(), 1e-3, $"order {k}");
    }

    [TestMethod]
    public void ExactLaplacianOfSumOfCubesIsSixTimesTheSum()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.5, 2.0, 0.25 }, ScalarType.Float64);
        var laplacian = Taylor.Laplacian(z => z.pow(3).sum(), x);
        Assert.AreEqual(0, laplacian.dim());
        Assert.AreEqual(6 * x.sum().ToDouble(), laplacian.ToDouble(), 1e-12);
    }

    [TestMethod]
    public void ExactLaplacianIsTheTraceOfTheAutodiffHessian()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -0.2, 0.9, 0.1, -0.6, 0.33 }, ScalarType.Float64).reshape(2, 3);
        Tensor F(Tensor z) => (z.sin() * z.sum()).sum() + z.exp().prod();
        var hessian = TrainingDiagnostics.Autodiff.Hessian(F, x).reshape(6, 6);
        Assert.AreEqual(hessian.trace().ToDouble(), Taylor.Laplacian(F, x).ToDouble(), 1e-12);
        Assert.AreEqual(0.0, Taylor.Laplacian(z => z.sum() * 3, x).ToDouble());
    }

    [TestMethod]
    public void AnUnsupportedLayerIsANotSupportedExceptionThatNamesIt()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(("fc", nn.Linear(2, 2, dtype: ScalarType.Float64)), ("gelu", nn.GELU()));
        var x = ones(1, 2, ScalarType.Float64);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => Taylor.Forward(model, x, x, 2));
        StringAssert.Contains(e.Message, "'gelu'");
        StringAssert.Contains(e.Message, "GELU");
        StringAssert.Contains(e.Message, "DirectionalDerivatives");

        var training = nn.Sequential(("drop", nn.Dropout(0.5)));
        training.train();
        StringAssert.Contains(Assert.ThrowsExactly<NotSupportedException>(() => Taylor.Forward(training, x, x, 2)).Message, "eval()");
    }

    [TestMethod]
    public void ADirectionOfTheWrongShapeIsAnArgumentException()
    {
        using var scope = NewDisposeScope();
        var model = EveryLayer();
        var x = ones(2, 3, ScalarType.Float64);
        var wrong = ones(3, ScalarType.Float64);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Taylor.Forward(model, x, wrong, 2)).Message, "[2, 3]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Taylor.DirectionalDerivatives(t => t.sin(), x, wrong, 2)).Message, "[3]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Taylor.Forward(model, x, x, -1));
        Assert.ThrowsExactly<ArgumentException>(() => Taylor.Laplacian(t => t.sin(), x));
    }

    [TestMethod]
    public void TaylorOperationsLeakNoTensors()
    {
        using var model = EveryLayer();
        var x = ones(2, 3, ScalarType.Float64);
        var p = tensor(new[] { 0.1, 0.2, 0.3 }, ScalarType.Float64);
        var guard = new TensorLeakGuard();
        using (var scope = NewDisposeScope())
        {
            Taylor.Forward(model, x, x, 4);
            Taylor.DirectionalDerivatives(t => model.call(t), x, x, 3);
            Taylor.Laplacian(t => t.pow(3).sum(), p);
            using var generator = new Generator(1, CPU);
            Stde.Laplacian(t => t.pow(3).sum(), p, 4, generator);
        }
        guard.AssertLive(0);
    }
}
