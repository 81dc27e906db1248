using TorchSharp;
using TrainingDiagnostics.TestSupport;
using static TorchSharp.torch;
using AD = TrainingDiagnostics.Autodiff;

namespace TrainingDiagnostics.Tests.Autodiff;

/// <summary>
/// The guarantees of the API: inputs and the caller's modules untouched, no tensor leaks, and user errors as .NET
/// exceptions. Several of these would kill the test host (SIGABRT) if a libtorch error reached torch.autograd.grad.
/// </summary>
[TestClass]
public sealed class AutodiffSafetyTests
{
    private static Tensor Cube(Tensor z) => (z * z * z).sum();

    /// <summary>Every operation of the API once, returning the number of tensors it handed back.</summary>
    private static readonly (string Name, Func<Tensor, int> Call)[] Operations =
    {
        ("Grad", x => { AD.Grad(Cube, x); return 1; }),
        ("ValueAndGrad", x => { AD.ValueAndGrad(Cube, x); return 2; }),
        ("Vjp", x => { AD.Vjp(z => z.sin(), x, ones_like(x)); return 2 + 1; }),
        ("Jvp", x => { AD.Jvp(z => z.sin(), x, ones_like(x)); return 2 + 1; }),
        ("Jacobian reverse", x => { AD.Jacobian(z => z.softmax(0), x, JacobianMode.Reverse); return 1; }),
        ("Jacobian forward", x => { AD.Jacobian(z => z.softmax(0), x, JacobianMode.Forward); return 1; }),
        ("JacobianDiagonal", x => { AD.JacobianDiagonal(z => z.tanh(), x); return 1; }),
        ("ElementwiseDerivative", x => { AD.ElementwiseDerivative(z => z.tanh(), x, 3); return 1; }),
        ("Hvp", x => { AD.Hvp(Cube, x, ones_like(x)); return 1 + 1; }),
        ("Hessian", x => { AD.Hessian(Cube, x); return 1; }),
        ("Grad, several inputs", x => { AD.Grad(v => v[0].dot(v[1]), new[] { x, x }); return 2; }),
        ("Hessian, several inputs", x => { AD.Hessian(v => v[0].dot(v[1]), new[] { x, x }); return 4; }),
    };

    [TestMethod]
    public void NoOperationLeaksTensors()
    {
        using var x = linspace(-1, 1, 5, dtype: ScalarType.Float64);
        foreach (var (name, call) in Operations)
        {
            var guard = new TensorLeakGuard();
            int handedBack;
            using (var scope = NewDisposeScope())
            {
                handedBack = call(x);
                // Everything still alive inside the caller's scope is what the call returned (plus the test's own ones_like).
                Assert.IsTrue(guard.NewLive <= handedBack, $"{name}: {guard.NewLive} tensors alive, at most {handedBack} expected");
            }
            guard.AssertLive(0, name);
        }
    }

    [TestMethod]
    public void InputsAndTheirGradsAreLeftAsTheyWere()
    {
        using var scope = NewDisposeScope();
        var plain = tensor(new[] { 0.5, -1.0, 2.0 });
        var leaf = tensor(new[] { 0.5, -1.0, 2.0 }).requires_grad_(true);
        var before = TensorAssert.Values(plain);
        foreach (var (name, call) in Operations)
        {
            call(plain);
            call(leaf);
            Assert.IsFalse(plain.requires_grad, name);
            Assert.IsTrue(leaf.requires_grad, name);
            Assert.IsNull(plain.grad, name);
            Assert.IsNull(leaf.grad, name);
            CollectionAssert.AreEqual(before, TensorAssert.Values(plain), name);
            CollectionAssert.AreEqual(before, TensorAssert.Values(leaf), name);
        }
    }

    [TestMethod]
    public void ModuleParametersUsedInsideFKeepTheirGrads()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var layer = nn.Linear(3, 1, dtype: ScalarType.Float64);
        var x = tensor(new[] { 0.1, 0.2, 0.3 });
        var g = AD.Grad(z => layer.call(z).tanh().sum(), x);
        foreach (var p in layer.parameters())
            Assert.IsNull(p.grad, "a gradient with respect to x must not write the module's .grad");
        var w = layer.weight!.detach().reshape(-1);
        var expected = w * (1 - layer.call(x).tanh().pow(2)).detach();
        TensorAssert.AreClose(expected, g, 1e-14, 1e-15);
    }

    [TestMethod]
    public void ResultsAreDetached()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }).requires_grad_(true);
        var (value, gradient) = AD.ValueAndGrad(Cube, x);
        Assert.IsFalse(value.requires_grad);
        Assert.IsFalse(gradient.requires_grad);
        Assert.IsFalse(AD.ElementwiseDerivative(z => z.pow(4), x, 2).requires_grad);
    }

    [TestMethod]
    public void ALibtorchErrorInsideFBecomesAnArgumentException()
    {
        using var scope = NewDisposeScope();
        var x = ones(3, dtype: ScalarType.Float64);
        var w = ones(4, 4, dtype: ScalarType.Float64);
        // (mm, not matmul: THSTensor_matmul has no exception guard in TorchSharp 0.107, its shape error aborts the process.)
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(z => w.mm(z.unsqueeze(1)).sum(), x));
        StringAssert.Contains(e.Message, "f failed");
    }

    [TestMethod]
    public void AnIntegerResultIsRejected()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 3.0, 2.0 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(z => z.argmax(), x));
        StringAssert.Contains(e.Message, "Int64");
    }

    [TestMethod]
    public void AnIntegerInputIsRejectedWithTheConversionToUse()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(z => z.sum(), tensor(new long[] { 1, 2 })));
        StringAssert.Contains(e.Message, "torch.float64");
    }

    [TestMethod]
    public void ANaNUnderAnomalyModeBecomesAnExceptionNotAnAbort()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.0, 1.0 });
        using var anomaly = autograd.detect_anomaly();
        // d/dx sqrt(x) at 0 is inf; times 0 gives NaN in the backward pass, which anomaly mode turns into an error.
        var e = Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(z => (z.sqrt() * 0).sum(), x));
        StringAssert.Contains(e.Message, "nan");
    }

    [TestMethod]
    public void NullArgumentsAreRejected()
    {
        var x = tensor(1.0);
        Assert.ThrowsExactly<ArgumentNullException>(() => AD.Grad((Func<Tensor, Tensor>)null!, x));
        Assert.ThrowsExactly<ArgumentNullException>(() => AD.Grad(z => z, (Tensor)null!));
        Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(_ => null!, x));
        Assert.ThrowsExactly<ArgumentException>(() => AD.Grad(v => v[0], Array.Empty<Tensor>()));
        Assert.ThrowsExactly<ArgumentNullException>(() => AD.Vjp(z => z, x, null!));
        Assert.ThrowsExactly<ArgumentException>(() => AD.Jvp(v => v[0] * v[1], new[] { x, x }, new[] { x }));
    }
}
