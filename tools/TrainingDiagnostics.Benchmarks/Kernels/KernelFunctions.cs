using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Benchmarks.Kernels;

/// <summary>sin, as a user writes it for the engine.</summary>
public readonly struct SinFunction : IUnaryFunction
{
    public Jet Invoke(Jet x) => Jet.Sin(x);
}

/// <summary>sin written once over IJet, with a lane path (SIMD on the CPU executor).</summary>
public readonly struct SinLanes : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Sin(x);
}

/// <summary>exp(sin x)·x², the higher-order benchmark function.</summary>
public readonly struct ExpSinTimesSquare : IUnaryFunction
{
    public Jet Invoke(Jet x) => Jet.Exp(Jet.Sin(x)) * x * x;
}

/// <summary>exp(sin x)·x² written once over IJet, with a lane path.</summary>
public readonly struct ExpSinTimesSquareLanes : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Exp(T.Sin(x)) * x * x;
}
