namespace TrainingDiagnostics.Anomalies;

/// <summary>A BatchNorm problem seen during a forward pass.</summary>
/// <param name="Path">The layer's path.</param>
/// <param name="Type">The layer's type name.</param>
/// <param name="Message">What was seen.</param>
internal sealed record BatchNormIssue(string Path, string Type, string Message);
