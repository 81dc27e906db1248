using System.Runtime.CompilerServices;
using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.Kernels.Tests;

// The functions under test, as a user would write them: structs that the engine turns into kernels.

public readonly struct SinF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Sin(x); }

public readonly struct CosF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Cos(x); }

public readonly struct TanF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Tan(x); }

public readonly struct ExpAxF : IUnaryFunction
{
    public const double A = -1.7;
    public Jet Invoke(Jet x) => Jet.Exp(A * x);
}

public readonly struct LogF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Log(x); }

public readonly struct SqrtF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Sqrt(x); }

public readonly struct TanhF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Tanh(x); }

public readonly struct SigmoidF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Sigmoid(x); }

public readonly struct SoftplusF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Softplus(x); }

public readonly struct ErfF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Erf(x); }

public readonly struct AtanF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Atan(x); }

public readonly struct AbsF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Abs(x); }

public readonly struct ReciprocalF : IUnaryFunction { public Jet Invoke(Jet x) => 1.0 / (1.0 + x); }

/// <summary>(1 + x)^P for a real P.</summary>
public readonly struct OnePlusXPow25F : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Pow(1.0 + x, 2.5); }

public readonly struct OnePlusXPowMinus13F : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Pow(1.0 + x, -1.3); }

public readonly struct SquareF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Pow(x, 2); }

/// <summary>3^x as Pow(constant, jet), derivatives (ln 3)^k·3^x.</summary>
public readonly struct ThreeToXF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Pow(Jet.Constant(3, x.Order), x); }

/// <summary>x^x = exp(x·log x), checked by Faà di Bruno and finite differences.</summary>
public readonly struct XToXF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Pow(x, x); }

/// <summary>3x⁴ − 2x³ + x − 5: every operation exact on integer data.</summary>
public readonly struct QuarticF : IUnaryFunction
{
    public Jet Invoke(Jet x) => 3 * Jet.Pow(x, 4) - 2 * x * x * x + x - 5;
}

/// <summary>sin(x)·e^x: a product, checked by Leibniz's rule.</summary>
public readonly struct SinTimesExpF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Sin(x) * Jet.Exp(x); }

/// <summary>exp(sin x): a composition, checked by Faà di Bruno.</summary>
public readonly struct ExpOfSinF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Exp(Jet.Sin(x)); }

/// <summary>exp(sin x)·x²: the benchmark function.</summary>
public readonly struct ExpSinTimesSquareF : IUnaryFunction { public Jet Invoke(Jet x) => Jet.Exp(Jet.Sin(x)) * x * x; }

/// <summary>Uses every rule once, so one kernel exercises the whole table.</summary>
public readonly struct EveryRuleF : IUnaryFunction
{
    public Jet Invoke(Jet x)
    {
        var positive = 1.5 + Jet.Sin(x) * 0.5;
        return Jet.Sin(x) + Jet.Cos(x) * Jet.Tan(0.3 * x) + Jet.Exp(-x * x) + Jet.Log(positive) + Jet.Sqrt(positive)
            + Jet.Tanh(x) + Jet.Sigmoid(x) + Jet.Softplus(x) + Jet.Erf(x) + Jet.Atan(x) + Jet.Pow(positive, 1.7)
            + Jet.Pow(positive, x) + Jet.Abs(x - 5) + Jet.Pow(x, 3) / positive - (2.0 / positive);
    }
}

/// <summary>Allocates a class: runs on the CPU executor, cannot become a kernel.</summary>
public readonly struct AllocatingF : IUnaryFunction
{
    public Jet Invoke(Jet x)
    {
        var box = new StrongBox<double>(x.Value);
        return x * box.Value;
    }
}

/// <summary>f(x, y) = sin(x)·e^y + x²y³.</summary>
public readonly struct SinExpPolyF : IMultivariateFunction
{
    public int Arity => 2;

    public Jet Invoke(JetArgs a)
    {
        var x = a[0];
        var y = a[1];
        return Jet.Sin(x) * Jet.Exp(y) + x * x * y * y * y;
    }

    public static double Value(double x, double y) => Math.Sin(x) * Math.Exp(y) + x * x * y * y * y;

    public static (double Dx, double Dy) Gradient(double x, double y)
        => (Math.Cos(x) * Math.Exp(y) + 2 * x * y * y * y, Math.Sin(x) * Math.Exp(y) + 3 * x * x * y * y);

    public static (double Dxx, double Dyy) HessianDiagonal(double x, double y)
        => (-Math.Sin(x) * Math.Exp(y) + 2 * y * y * y, Math.Sin(x) * Math.Exp(y) + 6 * x * x * y);
}

/// <summary>A Gaussian bump in 5 dimensions, exp(−|x|²/2): ∂_i f = −x_i f, ∂²_i f = (x_i² − 1) f.</summary>
public readonly struct GaussianF : IMultivariateFunction
{
    public int Arity => 5;

    public Jet Invoke(JetArgs a)
    {
        var s = a[0] * a[0];
        for (int i = 1; i < 5; i++)
        {
            s += a[i] * a[i];
        }

        return Jet.Exp(-0.5 * s);
    }
}

/// <summary>
/// Every rule, written once over IJet: the scalar Invoke runs in kernels, the lane Invoke on the CPU executor.
/// Includes domain edges (log and sqrt of values that reach 0, |x| at 0, powers at 0) so lanes take the scalar fallbacks too.
/// </summary>
public readonly struct GenericEveryRuleF : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T>
    {
        var positive = 1.5 + T.Sin(x) * 0.5;
        return T.Sin(x) + T.Cos(x) * T.Tan(0.3 * x) + T.Exp(-x * x) + T.Log(positive) + T.Sqrt(positive)
            + T.Tanh(x) + T.Sigmoid(x) + T.Softplus(x) + T.Erf(x) + T.Atan(x) + T.Pow(positive, 1.7)
            + T.Pow(positive, x) + T.Abs(x - 5) + T.Pow(x, 3) / positive - (2.0 / positive)
            + T.Pow(x * x, 1.5) + T.Abs(x) + T.Pow(positive, T.Constant(2, x.Order)) + T.Pow(x, -2) * 0;
    }
}

/// <summary>Functions that sit on domain edges at x = 0, 1, −1 (log and sqrt of 0 or negatives).</summary>
public readonly struct GenericEdgesF : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T>
        => T.Log(x) + T.Sqrt(x) + T.Pow(x, 2.5) + T.Abs(x) + T.Sqrt(1.0 - x * x);
}

/// <summary>exp(sin x)·x² with a lane path.</summary>
public readonly struct GenericExpSinTimesSquareF : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Exp(T.Sin(x)) * x * x;
}

/// <summary>sin with a lane path: at order 1 the CPU executor takes its smallest lane jet.</summary>
public readonly struct GenericSinF : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => T.Sin(x);
}

/// <summary>A function that lowers the order (a constant of order 0): coefficients beyond it are NaN on every path.</summary>
public readonly struct GenericLowersOrderF : IUnaryFunction, ILaneFunction
{
    public Jet Invoke(Jet x) => Invoke<Jet>(x);

    public T Invoke<T>(T x) where T : struct, IJet<T> => x * T.Constant(2, 0);
}
