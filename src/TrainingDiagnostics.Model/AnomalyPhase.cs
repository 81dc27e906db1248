using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>Where in a training step an anomaly arose.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnomalyPhase>))]
public enum AnomalyPhase
{
    /// <summary>The forward pass (including the batch fed to it and the loss computed from its output).</summary>
    Forward,

    /// <summary>The backward pass (gradients).</summary>
    Backward,

    /// <summary>The parameter update (an optimizer step left parameters non-finite or moved them too far).</summary>
    Update,
}
