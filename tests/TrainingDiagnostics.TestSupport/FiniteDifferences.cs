using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.TestSupport;

/// <summary>
/// Central finite differences in float64: the derivative oracle that shares no code with autograd (f is only ever
/// evaluated forward, under no_grad). Truncation error O(h²), so with h ≈ 1e-5 expect agreement to ~1e-8 relative.
/// </summary>
public static class FiniteDifferences
{
    /// <summary>The Jacobian of f at x (float64), shape f(x).shape ++ x.shape, by (f(x + h e_j) - f(x - h e_j)) / 2h.</summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x, double h = 1e-5)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x64 = x.detach().to(ScalarType.Float64).cpu().clone();
        var y0 = f(x64);
        long n = x64.numel();
        var flat = x64.view(-1);
        var columns = new List<Tensor>();
        for (long j = 0; j < n; j++)
        {
            double original = flat[j].ToDouble();
            double step = h * Math.Max(1.0, Math.Abs(original));
            flat[j] = original + step;
            var plus = f(x64).to(ScalarType.Float64).reshape(-1);
            flat[j] = original - step;
            var minus = f(x64).to(ScalarType.Float64).reshape(-1);
            flat[j] = original;
            columns.Add((plus - minus) / (2 * step));
        }
        var shape = y0.shape.Concat(x64.shape).ToArray();
        return stack(columns, dim: 1).view(shape).MoveToOuterDisposeScope();
    }

    /// <summary>The gradient of a scalar f at x (float64), with x's shape.</summary>
    public static Tensor Gradient(Func<Tensor, Tensor> f, Tensor x, double h = 1e-5)
    {
        using var scope = NewDisposeScope();
        return Jacobian(f, x, h).reshape(x.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The Hessian of a scalar f at x (float64), shape x.shape ++ x.shape, by second central differences.</summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x, double h = 1e-4)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x64 = x.detach().to(ScalarType.Float64).cpu().clone();
        long n = x64.numel();
        var flat = x64.view(-1);
        var values = new double[n, n];
        double F() => f(x64).to(ScalarType.Float64).ToDouble();
        for (long i = 0; i < n; i++)
        {
            for (long j = i; j < n; j++)
            {
                double xi = flat[i].ToDouble(), xj = flat[j].ToDouble();
                double hi = h * Math.Max(1.0, Math.Abs(xi)), hj = h * Math.Max(1.0, Math.Abs(xj));
                // f at x + di e_i + dj e_j (on the diagonal both steps go to the same coordinate).
                double Shift(double di, double dj)
                {
                    if (i == j)
                        flat[i] = xi + di + dj;
                    else
                    {
                        flat[i] = xi + di;
                        flat[j] = xj + dj;
                    }
                    double value = F();
                    flat[i] = xi;
                    flat[j] = xj;
                    return value;
                }
                double second = (Shift(hi, hj) - Shift(hi, -hj) - Shift(-hi, hj) + Shift(-hi, -hj)) / (4 * hi * hj);
                values[i, j] = second;
                values[j, i] = second;
            }
        }
        var shape = x64.shape.Concat(x64.shape).ToArray();
        return tensor(values).view(shape).MoveToOuterDisposeScope();
    }

    /// <summary>The k-th derivative of a scalar function g: R -> R at t, by the central difference stencil of order k (k = 1..4).</summary>
    public static double ScalarDerivative(Func<double, double> g, double t, int order, double h = 1e-3)
    {
        return order switch
        {
            1 => (g(t + h) - g(t - h)) / (2 * h),
            2 => (g(t + h) - 2 * g(t) + g(t - h)) / (h * h),
            3 => (g(t + 2 * h) - 2 * g(t + h) + 2 * g(t - h) - g(t - 2 * h)) / (2 * h * h * h),
            4 => (g(t + 2 * h) - 4 * g(t + h) + 6 * g(t) - 4 * g(t - h) + g(t - 2 * h)) / (h * h * h * h),
            _ => throw new ArgumentOutOfRangeException(nameof(order), order, "Stencils exist here for orders 1 to 4."),
        };
    }
}
