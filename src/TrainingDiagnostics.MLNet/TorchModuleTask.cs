namespace TrainingDiagnostics.MLNet;

/// <summary>What a <see cref="TorchModuleTrainer"/> trains the module for, which fixes its loss, its label type and its output columns.</summary>
public enum TorchModuleTask
{
    /// <summary>The module outputs one logit per row; labels are Boolean; loss: binary cross-entropy with logits. Output columns: Score (the logit), Probability, PredictedLabel (Boolean).</summary>
    BinaryClassification,

    /// <summary>The module outputs one logit per class; labels are a key type with a known count of classes; loss: cross-entropy. Output columns: Score (a vector of class probabilities), PredictedLabel (a key of the label's type).</summary>
    MulticlassClassification,

    /// <summary>The module outputs one value per row; labels are Single; loss: mean squared error. Output column: Score.</summary>
    Regression,
}
