// The seed forum thread's questions, answered with TrainingDiagnostics.Autodiff.
// Each answer is printed and checked against its analytic value; the program exits 1 if any check fails.
using System.Diagnostics;
using TorchSharp;
using TrainingDiagnostics;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;

int failures = 0;

void Check(string what, Tensor expected, Tensor actual, double tolerance = 1e-12)
{
    double error = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().ToDouble();
    bool ok = error <= tolerance;
    if (!ok)
        failures++;
    Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {what}: max |error| = {error:E2}");
}

Console.WriteLine("1. y = sin(x) on linspace(0, pi, 100): the vector of dy_i/dx_i.");
Console.WriteLine("   The Jacobian of an elementwise function is diagonal, so one backward pass with ones gives its diagonal.");
Console.WriteLine("   JacobianDiagonal does that pass and proves the Jacobian diagonal first.");
using (var scope = NewDisposeScope())
{
    var x = linspace(0, Math.PI, 100, dtype: ScalarType.Float64);
    var dydx = Autodiff.JacobianDiagonal(sin, x);
    Console.WriteLine($"   dy/dx[0..4] = {string.Join(", ", dydx[..5].data<double>().ToArray().Select(v => v.ToString("F6")))}");
    Check("dy_i/dx_i = cos(x_i)", cos(x), dydx);
    Check("second derivative = -sin(x)", -sin(x), Autodiff.ElementwiseDerivative(sin, x, 2));
}

Console.WriteLine();
Console.WriteLine("2. f = dot(x, y) with x, y in R^3: the gradient with respect to each input.");
using (var scope = NewDisposeScope())
{
    var x = linspace(0, 1, 3, dtype: ScalarType.Float64);
    var y = tensor(new[] { 2.0, -1.0, 0.5 });
    var grads = Autodiff.Grad(v => v[0].dot(v[1]), new[] { x, y });
    Check("df/dx = y", y, grads[0]);
    Check("df/dy = x", x, grads[1]);
    Check("d dot(x, x)/dx = 2x", 2 * x, Autodiff.Grad(v => v.dot(v), x));
}

Console.WriteLine();
Console.WriteLine("3. The classic mix-up: grad_outputs with the shape of x for a scalar f.");
Console.WriteLine("   grad_outputs weight the OUTPUT elements (a VJP is v^T J), so for a scalar f, v is a scalar.");
using (var scope = NewDisposeScope())
{
    var x = linspace(0, 1, 3, dtype: ScalarType.Float64);
    try
    {
        Autodiff.Vjp(v => v.dot(v), x, ones_like(x));
        failures++;
        Console.WriteLine("  FAIL the wrong-shape v was accepted");
    }
    catch (ArgumentException e)
    {
        Console.WriteLine($"  ok   rejected: {e.Message}");
    }
}

Console.WriteLine();
Console.WriteLine("4. A non-diagonal Jacobian: softmax. Here a backward pass with ones gives column sums (all zero), not derivatives.");
using (var scope = NewDisposeScope())
{
    var x = tensor(new[] { 1.0, 2.0, 0.5 });
    var j = Autodiff.Jacobian(z => z.softmax(0), x);
    var s = x.softmax(0);
    Console.WriteLine($"   J =\n{j.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    Check("J = diag(s) - s s^T", diag(s) - s.outer(s), j);
    try
    {
        Autodiff.JacobianDiagonal(z => z.softmax(0), x);
        failures++;
    }
    catch (ArgumentException)
    {
        Console.WriteLine("  ok   JacobianDiagonal refuses softmax (its Jacobian is not diagonal)");
    }
}

Console.WriteLine();
Console.WriteLine("5. A Hessian: f(x) = x0^2 x1 + x1^3 at (1, 2).");
using (var scope = NewDisposeScope())
{
    var x = tensor(new[] { 1.0, 2.0 });
    var h = Autodiff.Hessian(z => z[0] * z[0] * z[1] + z[1].pow(3), x);
    Console.WriteLine($"   H =\n{h.ToString(TorchSharp.TensorStringStyle.Numpy)}");
    // H = [[2 x1, 2 x0], [2 x0, 6 x1]]
    Check("H = [[2 x1, 2 x0], [2 x0, 6 x1]]", tensor(new[] { 4.0, 2.0, 2.0, 12.0 }).reshape(2, 2), h);
}

Console.WriteLine();
Console.WriteLine("6. The first question again, at scale: dy_i/dx_i of y = sin(x) over 10^7 points, computed both ways.");
Console.WriteLine("   Autodiff.JacobianDiagonal: a forward pass, a graph and a backward pass in libtorch.");
Console.WriteLine("   PointwiseEngine.Derivatives: one Taylor jet per point (value and derivative together), no graph;");
Console.WriteLine("   the same function code runs as an ILGPU kernel on a GPU, here on the CPU executor.");
using (var scope = NewDisposeScope())
{
    const int n = 10_000_000;
    var x = linspace(-5, 5, n, dtype: ScalarType.Float64);
    var points = x.data<double>().ToArray();
    using var engine = new PointwiseEngine(AcceleratorPreference.Cpu);
    Console.WriteLine($"   engine device: {engine.DeviceName}");

    // One warm-up call each (JIT, libtorch's first-call checks, thread pool), then one timed call each.
    Autodiff.JacobianDiagonal(sin, x).Dispose();
    engine.Derivatives<SinJet>(points, 1);
    var clock = Stopwatch.StartNew();
    var fromAutograd = Autodiff.JacobianDiagonal(sin, x);
    double autogradMs = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    var fromJets = engine.Derivatives<SinJet>(points, 1);
    double engineMs = clock.Elapsed.TotalMilliseconds;

    // libtorch's cos and the engine's vectorized sin/cos are each within about 2 ulp of the exact value (< 2.3e-16 here).
    Check("autograd and jets agree on dy_i/dx_i", fromAutograd, tensor(fromJets[1]), tolerance: 1e-15);
    Check("jets: dy_i/dx_i = cos(x_i)", cos(x), tensor(fromJets[1]), tolerance: 1e-15);
    Console.WriteLine($"   autograd (JacobianDiagonal):        {autogradMs,8:F1} ms");
    Console.WriteLine($"   jets (PointwiseEngine, CPU, sin+cos): {engineMs,6:F1} ms");
    Console.WriteLine("   (one Stopwatch run after a warm-up, on a machine that may be busy; BenchmarkDotNet holds the real numbers:");
    Console.WriteLine("    dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*SinDerivative*' --job short --inProcess)");
#if DEBUG
    Console.WriteLine("   This is a Debug build: the JIT leaves the jets' SIMD code unoptimized, so their time means nothing here;");
    Console.WriteLine("   run `dotnet run -c Release --project samples/Seed.Autograd` for a fair comparison.");
#endif
}

Console.WriteLine();
Console.WriteLine(failures == 0 ? "All answers match their analytic values." : $"{failures} check(s) failed.");
return failures == 0 ? 0 : 1;

/// <summary>sin for the PointwiseEngine, written once over IJet: the scalar form runs in kernels, the generic one on SIMD lanes.</summary>
internal readonly struct SinJet : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Sin(x);
}
