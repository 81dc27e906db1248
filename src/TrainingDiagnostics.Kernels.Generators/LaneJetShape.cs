namespace TrainingDiagnostics.Kernels.Generators;

/// <summary>What the template needs of one lane jet (a value, so that the incremental pipeline caches it).</summary>
/// <param name="Namespace">The struct's namespace.</param>
/// <param name="Name">The struct's name.</param>
/// <param name="Capacity">The number of coefficient vectors it holds (its highest order plus one).</param>
/// <param name="UnrollsFullOrder">Whether the struct's own file unrolls products, exp, sin and cos at its highest order.</param>
internal readonly record struct LaneJetShape(string Namespace, string Name, int Capacity, bool UnrollsFullOrder);
