namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// The module's outputs for the row a cursor stands on (logit, class probabilities or value), computing them first if they
/// are not yet known. Throws when that row cannot be scored (its feature vector has the wrong length).
/// </summary>
internal delegate ReadOnlySpan<float> CurrentOutputs();
