namespace TrainingDiagnostics.Kernels;

/// <summary>
/// A scalar function f: ℝ → ℝ written once with <see cref="Jet"/> arithmetic, so that the same code runs
/// inside ILGPU kernels (CUDA, OpenCL, CPU accelerator) and in the CPU executor.
/// </summary>
/// <remarks>
/// Implement it on a <c>struct</c> with no state the kernel needs (the engine calls
/// <c>default(TFunction).Invoke</c>): use <see cref="Jet"/>'s operators and functions, constants, loops and
/// <see cref="Math"/>; no allocation, arrays, strings or exceptions, which kernels cannot compile.
/// Constants that take part as jets should have the argument's order, for example
/// <c>Jet.Constant(2, x.Order)</c>; plain <see cref="double"/> operands need nothing.
/// <code>
/// public readonly struct SinSquared : IUnaryFunction
/// {
///     public Jet Invoke(Jet x) => Jet.Sin(x) * x * x;
/// }
/// </code>
/// </remarks>
public interface IUnaryFunction
{
    /// <summary>Evaluates f on a jet: f(x) with all its Taylor coefficients up to <c>x.Order</c>.</summary>
    /// <param name="x">The argument as a jet (for derivatives at a point: <see cref="Jet.Variable"/>).</param>
    Jet Invoke(Jet x);
}
