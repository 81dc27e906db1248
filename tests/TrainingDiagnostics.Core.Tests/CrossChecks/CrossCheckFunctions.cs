using TorchSharp;
using TrainingDiagnostics.Kernels;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.CrossChecks;

// Each function twice: as a jet struct for the PointwiseEngine and as a TorchSharp lambda for Autodiff. The two
// are written independently (jet rules against libtorch's derivative formulas), so agreement checks both.

/// <summary>exp(sin x)·x², the benchmark function.</summary>
public readonly struct ExpSinSquare : IUnaryFunction, ILaneFunction
{
    public static Tensor Torch(Tensor x) => x.sin().exp() * x * x;

    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Exp(T.Sin(x)) * x * x;
}

/// <summary>tanh(x)·σ(x) + softplus(x) − atan(x)/(2 + cos x): activations, a quotient, a composition.</summary>
public readonly struct Activations : IUnaryFunction, ILaneFunction
{
    public static Tensor Torch(Tensor x)
        => x.tanh() * x.sigmoid() + nn.functional.softplus(x) - x.atan() / (x.cos() + 2);

    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Tanh(x) * T.Sigmoid(x) + T.Softplus(x) - T.Atan(x) / (2.0 + T.Cos(x));
}

/// <summary>log(1 + x²)·sqrt(3 + sin x) + (1.5 + cos x)^1.7 − erf(x/2): logs, roots, real powers, erf.</summary>
public readonly struct LogsAndPowers : IUnaryFunction, ILaneFunction
{
    public static Tensor Torch(Tensor x)
        => (x * x + 1).log() * (x.sin() + 3).sqrt() + (x.cos() + 1.5).pow(1.7) - (x / 2).erf();

    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T>
        => T.Log(x * x + 1.0) * T.Sqrt(T.Sin(x) + 3.0) + T.Pow(T.Cos(x) + 1.5, 1.7) - T.Erf(x / 2.0);
}

/// <summary>A scalar-only (no lane path) composite: tan(x/3)·exp(−x²/4) / (1 + x²)^2.</summary>
public readonly struct ScalarOnly : IUnaryFunction
{
    public static Tensor Torch(Tensor x) => (x / 3).tan() * (-(x * x) / 4).exp() / (x * x + 1).pow(2);

    public Jet Invoke(Jet x) => Jet.Tan(x / 3.0) * Jet.Exp(-(x * x) / 4.0) / Jet.Pow(x * x + 1.0, 2);
}

/// <summary>f(x, y, z) = sin(x)·e^y + x²·z³ + log(1 + y²)·tanh(z) − √(2 + x·z·0.5 + y²)·cos(y·z).</summary>
public readonly struct Mixed3 : IMultivariateFunction
{
    public int Arity => 3;

    public static Tensor Torch(Tensor v)
    {
        var x = v[0];
        var y = v[1];
        var z = v[2];
        return x.sin() * y.exp() + x * x * z * z * z + (y * y + 1).log() * z.tanh() - (x * z * 0.5 + y * y + 2).sqrt() * (y * z).cos();
    }

    public Jet Invoke(JetArgs a)
    {
        var x = a[0];
        var y = a[1];
        var z = a[2];
        return Jet.Sin(x) * Jet.Exp(y) + x * x * z * z * z + Jet.Log(y * y + 1.0) * Jet.Tanh(z)
            - Jet.Sqrt(x * z * 0.5 + y * y + 2.0) * Jet.Cos(y * z);
    }
}

/// <summary>A 6-dimensional softplus of a quadratic form plus a sigmoid chain, for a larger Laplacian.</summary>
public readonly struct Quadratic6 : IMultivariateFunction
{
    public int Arity => 6;

    public static Tensor Torch(Tensor v)
    {
        var s = v[0] * 0;
        for (int i = 0; i < 6; i++)
        {
            s = s + (i + 1) * 0.25 * v[i] * v[i] + v[i] * v[(i + 1) % 6] * 0.1;
        }

        return nn.functional.softplus(s - 2) + (v[0] - v[5]).sigmoid() * v[2];
    }

    public Jet Invoke(JetArgs a)
    {
        var s = a[0] * 0.0;
        for (int i = 0; i < 6; i++)
        {
            s = s + (i + 1) * 0.25 * a[i] * a[i] + a[i] * a[(i + 1) % 6] * 0.1;
        }

        return Jet.Softplus(s - 2.0) + Jet.Sigmoid(a[0] - a[5]) * a[2];
    }
}
