using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Replay;

/// <summary>One gradient seen at a module boundary during a replay's backward pass.</summary>
/// <param name="Sequence">Order of arrival (backward execution order).</param>
/// <param name="Path">The module's path.</param>
/// <param name="IsOutput">True: the gradient entering the module (w.r.t. its output); false: the gradient it sends out (w.r.t. its input).</param>
/// <param name="IsFinite">Whether every element was finite.</param>
/// <param name="Norm">The gradient's L2 norm.</param>
/// <param name="Statistics">Statistics of the gradient, kept when it was non-finite or zero.</param>
internal sealed record ProbeObservation(int Sequence, string Path, bool IsOutput, bool IsFinite, double Norm, TensorStatistics? Statistics);
