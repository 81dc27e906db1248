using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.HigherOrder;

/// <summary>Problems with known Hessians: quadratics with a chosen spectrum, and a tiny MLP written twice (module and flat function).</summary>
internal static class TestProblems
{
    /// <summary>A = Q diag(spectrum) Qᵀ with Q a seeded random orthogonal matrix (float64), or diag(spectrum) when not rotated.</summary>
    public static Tensor Matrix(double[] spectrum, int seed = 7, bool rotate = true)
    {
        using var scope = NewDisposeScope();
        var d = diag(tensor(spectrum, ScalarType.Float64));
        if (!rotate)
            return d.MoveToOuterDisposeScope();
        var generator = new Generator((ulong)seed, CPU);
        var (q, _) = linalg.qr(randn(new long[] { spectrum.Length, spectrum.Length }, ScalarType.Float64, generator: generator));
        return q.matmul(d).matmul(q.t()).MoveToOuterDisposeScope();
    }

    /// <summary>0.5 xᵀAx: its Hessian is (A + Aᵀ)/2 = A for symmetric A.</summary>
    public static Func<Tensor, Tensor> QuadraticForm(Tensor a) => x => 0.5 * x.dot(a.mv(x));

    public static Tensor Point(int n, int seed = 3)
    {
        var generator = new Generator((ulong)seed, CPU);
        return randn(new long[] { n }, ScalarType.Float64, generator: generator);
    }

    /// <summary>Decaying spectrum 1/i² (i = 1..n).</summary>
    public static double[] Decaying(int n) => Enumerable.Range(1, n).Select(i => 1.0 / ((double)i * i)).ToArray();

    /// <summary>A 3-5-2 tanh MLP in float64 with fixed weights, its data, and the same loss as a function of the flat parameters.</summary>
    public sealed class TinyMlp : IDisposable
    {
        public TinyMlp(int seed = 11)
        {
            var generator = new Generator((ulong)seed, CPU);
            Model = nn.Sequential(("fc1", nn.Linear(3, 5, dtype: ScalarType.Float64)), ("act", nn.Tanh()), ("fc2", nn.Linear(5, 2, dtype: ScalarType.Float64)));
            using (no_grad())
                foreach (var p in Model.parameters())
                    p.copy_(randn(p.shape, ScalarType.Float64, generator: generator) * 0.7);
            Inputs = randn(new long[] { 8, 3 }, ScalarType.Float64, generator: generator);
            Targets = randn(new long[] { 8, 2 }, ScalarType.Float64, generator: generator);
        }

        public Sequential Model { get; }
        public Tensor Inputs { get; }
        public Tensor Targets { get; }

        public Tensor Loss() => nn.functional.mse_loss(Model.call(Inputs), Targets);

        /// <summary>The flat parameter vector in parameters() order: fc1.weight, fc1.bias, fc2.weight, fc2.bias.</summary>
        public Tensor FlatParameters() => cat(Model.parameters().Select(p => p.detach().reshape(-1)).ToArray());

        /// <summary>The same loss written by hand as a function of the flat parameters: an independent route to the Hessian.</summary>
        public Tensor LossOf(Tensor theta)
        {
            var w1 = theta[..15].view(5, 3);
            var b1 = theta[15..20];
            var w2 = theta[20..30].view(2, 5);
            var b2 = theta[30..32];
            var hidden = (Inputs.matmul(w1.t()) + b1).tanh();
            var output = hidden.matmul(w2.t()) + b2;
            return (output - Targets).pow(2).mean();
        }

        public void Dispose()
        {
            Model.Dispose();
            Inputs.Dispose();
            Targets.Dispose();
        }
    }
}
