using System.Text.Json.Serialization;

namespace TrainingDiagnostics.Model;

/// <summary>Which property of the loss Hessian H a <see cref="CurvatureRecord"/> estimates.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CurvatureQuantity>))]
public enum CurvatureQuantity
{
    /// <summary>The eigenvalue of H of largest magnitude (the sharpness), by Lanczos; its error bar is a residual.</summary>
    TopEigenvalue,

    /// <summary>The trace tr(H) (the sum of the eigenvalues), by Hutchinson's estimator; its error bar is a standard error.</summary>
    Trace,
}
