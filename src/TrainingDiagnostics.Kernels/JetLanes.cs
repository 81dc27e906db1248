using System.Numerics;
using System.Runtime.CompilerServices;
using TrainingDiagnostics.Kernels.Lanes;

namespace TrainingDiagnostics.Kernels;

/// <summary>
/// <see cref="Count"/> jets side by side, one per SIMD lane (<see cref="Vector{T}"/> of double): the same
/// truncated Taylor arithmetic as <see cref="Jet"/>, for <see cref="Count"/> points at once. CPU only (ILGPU
/// kernels cannot use it); see <see cref="ILaneFunction"/>.
/// </summary>
/// <remarks>
/// Same convention as <see cref="Jet"/>: normalized Taylor coefficients <c>f^(k)/k!</c>, orders 0..Order.
/// The rules are <see cref="Jet"/>'s own (one rule set, <c>TaylorRules</c>), run on whole vectors. The
/// values of exp, sin and cos come from vectorized polynomials within 2 ulp of <see cref="Math"/>'s (.NET 10's own
/// vector versions for double run at scalar speed), the other functions' values lane by lane from the same
/// <see cref="Math"/> calls as <see cref="Jet"/>; so lanes agree with <see cref="Jet"/> to rounding
/// (about 1e-15 relative). The edges of the domains (log or sqrt at 0, powers at 0, |u| at 0) are decided lane
/// by lane by the same rules, so edge semantics are exactly <see cref="Jet"/>'s. For orders up to 4 the CPU executor uses
/// smaller internal lane jets with the very same rules (fewer bytes to copy per operation); their numbers are
/// bit-identical to this type's. Its members are written from the lane jets' one template (the source generator in
/// src/TrainingDiagnostics.Kernels.Generators), as are those of the smaller internal lane jets.
/// </remarks>
[SkipLocalsInit]
[LaneJet(Jet.MaxOrder + 1)]
public partial struct JetLanes
{
}
