using TrainingDiagnostics.Jets;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// <see cref="Jet"/>'s storage and coefficient arithmetic for the one rule set (<c>TaylorRules</c>): a coefficient is
/// a double, a condition a bool. Plain static members of a struct, so that ILGPU compiles the rules inside kernels.
/// </summary>
internal readonly struct JetArithmetic : ITaylorArithmetic<Jet, double, bool>
{
    public static Jet Create(int order) => Jet.Zero(order);

    public static int OrderOf(ref Jet jet) => jet.Order;

    public static double At(ref Jet jet, int k) => jet.At(k);

    public static void Set(ref Jet jet, int k, double value) => jet.Set(k, value);

    public static double Constant(double c, double like) => c;

    public static double Add(double a, double b) => a + b;

    public static double Subtract(double a, double b) => a - b;

    public static double Negate(double a) => -a;

    public static double AddScalar(double a, double c) => a + c;

    public static double Scale(double a, double c) => a * c;

    public static double DivideByScalar(double a, double c) => a / c;

    public static double Multiply(double a, double b) => a * b;

    public static double Divide(double a, double b) => a / b;

    public static double Weighted(double a, double b, double w) => w * a * b;

    public static double MultiplyAdd(double acc, double a, double b) => acc + a * b;

    public static double MultiplyAdd(double acc, double a, double b, double w) => acc + w * a * b;

    public static double AddTo(double acc, double x) => acc + x;

    public static double SubtractFrom(double acc, double x) => x - acc;

    public static double DivideBy(double acc, double d) => acc / d;

    public static double ExpOf(double x) => Math.Exp(x);

    public static void SinCosOf(double x, out double sin, out double cos)
    {
        sin = Math.Sin(x);
        cos = Math.Cos(x);
    }

    public static double TanOf(double x) => Math.Tan(x);

    public static double TanhOf(double x) => Math.Tanh(x);

    public static double SigmoidOf(double x) => ScalarMath.Sigmoid(x);

    public static double SoftplusOf(double x) => ScalarMath.Softplus(x);

    public static double ErfOf(double x) => ScalarMath.Erf(x);

    public static double AtanOf(double x) => Math.Atan(x);

    public static double LogOf(double x) => Math.Log(x);

    public static double SqrtOf(double x) => Math.Sqrt(x);

    public static double PowOf(double x, double r) => Math.Pow(x, r);

    public static bool IsZero(double x) => x == 0;

    public static bool IsPositive(double x) => x > 0;

    public static bool IsNegative(double x) => x < 0;

    public static bool Not(bool m) => !m;

    public static bool And(bool a, bool b) => a & b;

    public static bool Or(bool a, bool b) => a | b;

    public static bool MayHold(bool m) => m;

    public static double Select(bool m, double a, double b) => m ? a : b;
}
