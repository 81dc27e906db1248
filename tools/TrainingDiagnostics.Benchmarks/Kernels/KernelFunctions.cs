using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Benchmarks.Kernels;

/// <summary>sin, as a user writes it for the engine.</summary>
public readonly struct SinFunction : IUnaryFunction
{
    public Jet Invoke(Jet x) => Jet.Sin(x);
}

/// <summary>exp(sin x)·x², the higher-order benchmark function.</summary>
public readonly struct ExpSinTimesSquare : IUnaryFunction
{
    public Jet Invoke(Jet x) => Jet.Exp(Jet.Sin(x)) * x * x;
}
