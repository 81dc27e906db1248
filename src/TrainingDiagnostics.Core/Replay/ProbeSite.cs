namespace TrainingDiagnostics.Replay;

/// <summary>A module boundary observed by a <see cref="GradProbe"/>.</summary>
/// <param name="Path">The module's dotted path ("" for the root).</param>
/// <param name="IsOutput">
/// True for the module's output, whose gradient is the one flowing INTO the module in the backward pass; false for its
/// input, whose gradient is the one the module sends out.
/// </param>
/// <param name="Recorder">Where the observation goes.</param>
internal sealed record ProbeSite(string Path, bool IsOutput, ProbeRecorder Recorder);
