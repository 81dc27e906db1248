using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Jets;

// The Kernels' part of the shared rule set (src/Shared/Jets/TaylorRules.cs): the lane jets' buffers are written before
// they are read, and zeroing them on every rule cost as much as the math at order 1 (measured). Core, which does not
// compile unsafe code, keeps the default (its jets hold tensor references, which must be zeroed anyway).
[SkipLocalsInit]
internal abstract partial class TaylorRules<TJet, TC, TMask, TOps>
{
}
