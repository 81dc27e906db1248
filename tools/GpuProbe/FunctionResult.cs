namespace TrainingDiagnostics.GpuProbe;

/// <summary>One function run on the device and on the CPU executor: the differences, by derivative order for a unary function.</summary>
internal sealed record FunctionResult(
    string Name, string Kind, double Low, double High, long Points, Difference Total, IReadOnlyList<Difference> ByOrder, KernelRate Kernel);
