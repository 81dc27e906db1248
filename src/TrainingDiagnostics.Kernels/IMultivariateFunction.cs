namespace TrainingDiagnostics.Kernels;

/// <summary>
/// A scalar function of <see cref="Arity"/> inputs, f: ℝⁿ → ℝ, written with <see cref="Jet"/> arithmetic
/// so that it runs in kernels; the engine differentiates it along each coordinate direction.
/// </summary>
/// <remarks>
/// The same restrictions as <see cref="IUnaryFunction"/> apply (a <c>struct</c>, no allocation, no
/// exceptions), and <see cref="Arity"/> must be a constant of the type, at most
/// <see cref="JetArgs.MaxArity"/>.
/// <code>
/// public readonly struct Bump : IMultivariateFunction
/// {
///     public int Arity => 2;
///     public Jet Invoke(JetArgs x) => Jet.Exp(-(x[0] * x[0] + x[1] * x[1]));
/// }
/// </code>
/// </remarks>
public interface IMultivariateFunction
{
    /// <summary>The number of inputs n (the row length of the points passed to the engine).</summary>
    int Arity { get; }

    /// <summary>Evaluates f on jets: <c>x[i]</c> is the i-th input as a jet.</summary>
    /// <param name="x">The inputs; one of them is the variable, the others constants.</param>
    Jet Invoke(JetArgs x);
}
