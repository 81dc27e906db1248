namespace TrainingDiagnostics.Kernels;

/// <summary>
/// An optional companion of <see cref="IUnaryFunction"/>: the same function written once, generically over
/// <see cref="IJet{TSelf}"/>, so that the CPU executor (<see cref="AcceleratorPreference.Cpu"/>) can evaluate it on
/// SIMD vectors of points (<see cref="JetLanes"/>, or a smaller lane jet of the same rules for orders up to 4):
/// <see cref="JetLanes.Count"/> points per call, with the Taylor arithmetic and exp, sin and cos on SIMD vectors.
/// Results agree with the scalar path to rounding (exp, sin and cos within 2 ulp of <see cref="Math"/>'s; the
/// rest in the same order of operations). Kernels keep using <see cref="IUnaryFunction.Invoke"/>; let it call
/// this method so that the two cannot disagree:
/// <code>
/// public readonly struct F : IUnaryFunction, ILaneFunction
/// {
///     public Jet Invoke(Jet x) => Invoke&lt;Jet&gt;(x);
///     public T Invoke&lt;T&gt;(T x) where T : struct, IJet&lt;T&gt; => T.Exp(T.Sin(x)) * x * x;
/// }
/// </code>
/// </summary>
public interface ILaneFunction
{
    /// <summary>
    /// Evaluates f on any jet type: <see cref="Jet"/>, <see cref="JetLanes"/> or the executor's internal lane
    /// jets. Use only the members of <see cref="IJet{TSelf}"/>, and make jet constants with
    /// <c>T.Constant(c, x.Order)</c>.
    /// </summary>
    /// <typeparam name="T">The jet type.</typeparam>
    /// <param name="x">The argument, one jet per lane for lane types.</param>
    T Invoke<T>(T x)
        where T : struct, IJet<T>;
}
