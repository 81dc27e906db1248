using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Monitoring;

/// <summary>A statistical alarm raised by <see cref="GradientHealthDetector"/>.</summary>
/// <param name="Kind">Exploding, vanishing or diverging.</param>
/// <param name="Value">The measured value (a norm or a loss).</param>
/// <param name="Threshold">The threshold it crossed.</param>
/// <param name="Message">What was seen, in words.</param>
/// <param name="ParameterIndices">The parameters concerned (dead ones for a vanishing alarm), empty for the whole model.</param>
internal sealed record HealthFinding(AnomalyKind Kind, double Value, double Threshold, string Message, IReadOnlyList<int> ParameterIndices);
