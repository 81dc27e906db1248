using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>What went wrong in a training step.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnomalyKind>))]
public enum AnomalyKind
{
    /// <summary>The loss is NaN or infinite.</summary>
    NonFiniteLoss,

    /// <summary>The batch fed to the model holds NaN or infinite values (a data fault, not a layer's).</summary>
    NonFiniteInput,

    /// <summary>A module's forward output holds NaN or infinite values while its inputs were finite.</summary>
    NonFiniteActivation,

    /// <summary>A gradient holds NaN or infinite values.</summary>
    NonFiniteGradient,

    /// <summary>A parameter (weight) holds NaN or infinite values.</summary>
    NonFiniteParameter,

    /// <summary>The gradient norm jumped far above its recent typical value (robust statistics over a window).</summary>
    ExplodingGradient,

    /// <summary>The gradient norm (of the model or of a layer) collapsed far below its typical value, or to zero.</summary>
    VanishingGradient,

    /// <summary>The loss keeps rising above its recent typical value: the run is diverging while still finite.</summary>
    DivergingLoss,

    /// <summary>A BatchNorm layer cannot estimate batch statistics: batch size 1 in train mode, a channel with
    /// near-zero batch variance, or non-finite running statistics.</summary>
    BatchNormDegenerate,
}
