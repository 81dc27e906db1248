using System.Numerics;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Kernels.Lanes;

/// <summary>
/// <see cref="JetLanes"/> with room for orders 0..1 only: the same rules (<c>TaylorRules</c>, through
/// <see cref="LaneArithmetic{TLanes}"/>) on 2 coefficient vectors instead of 9, so that every struct copy (each
/// operator argument and result) moves 2 vectors; the CPU executor uses it for orders up to 1. Its
/// numbers are bit-identical to <see cref="JetLanes"/>'s. Its members are written from the lane jets' one template (the
/// source generator in src/TrainingDiagnostics.Kernels.Generators).
/// </summary>
[SkipLocalsInit]
[LaneJet(2)]
internal partial struct JetLanes1
{
}
