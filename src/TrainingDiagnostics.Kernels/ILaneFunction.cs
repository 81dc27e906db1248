namespace TrainingDiagnostics.Kernels;

/// <summary>
/// An optional companion of <see cref="IUnaryFunction"/>: the same function on <see cref="JetLanes"/>, a SIMD
/// vector of points. When a function type implements both, the CPU executor
/// (<see cref="AcceleratorPreference.Cpu"/>) evaluates <see cref="JetLanes.Count"/> points per call for
/// derivatives of order 2 and more (at order 1 the scalar path was faster): the Taylor arithmetic and exp,
/// sin and cos run on SIMD vectors (results agree with the scalar path to rounding, about 1e-15 relative). Kernels keep using <see cref="IUnaryFunction.Invoke"/>. Write the body
/// once as a generic method over <see cref="IJet{TSelf}"/> (see there) so the two cannot disagree.
/// </summary>
public interface ILaneFunction
{
    /// <summary>Evaluates f on a vector of jets, lane by lane the same as <see cref="IUnaryFunction.Invoke"/>.</summary>
    /// <param name="x">The arguments, one jet per lane.</param>
    JetLanes Invoke(JetLanes x);
}
