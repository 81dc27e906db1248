namespace TrainingDiagnostics.Kernels;

/// <summary>
/// An optional companion of <see cref="IUnaryFunction"/>: the same function on <see cref="JetLanes"/>, a SIMD
/// vector of points. When a function type implements both, the CPU executor
/// (<see cref="AcceleratorPreference.Cpu"/>) evaluates <see cref="JetLanes.Count"/> points per call, which
/// speeds up the Taylor arithmetic (the elementary functions' values stay scalar: .NET has no faster
/// vector sin/cos/exp for double). Kernels keep using <see cref="IUnaryFunction.Invoke"/>. Write the body
/// once as a generic method over <see cref="IJet{TSelf}"/> (see there) so the two cannot disagree.
/// </summary>
public interface ILaneFunction
{
    /// <summary>Evaluates f on a vector of jets, lane by lane the same as <see cref="IUnaryFunction.Invoke"/>.</summary>
    /// <param name="x">The arguments, one jet per lane.</param>
    JetLanes Invoke(JetLanes x);
}
