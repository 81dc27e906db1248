using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Export;

/// <summary>The <c>name</c> values of <c>scalars.parquet</c> beside the metrics' own names.</summary>
public static class ScalarNames
{
    /// <summary>The step's training loss.</summary>
    public const string Loss = "loss";

    /// <summary>The step's learning rate (when recorded).</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>The L2 norm of all gradients together (when measured).</summary>
    public const string GradientNorm = "gradient_norm";

    /// <summary>The step's wall-clock milliseconds (when recorded).</summary>
    public const string StepMilliseconds = "step_ms";

    /// <summary>A curvature estimate: <c>curvature/top_eigenvalue</c> or <c>curvature/trace</c> (the names TensorBoard shows too).</summary>
    /// <param name="quantity">What was estimated.</param>
    /// <returns>The scalar's name.</returns>
    public static string Curvature(CurvatureQuantity quantity) =>
        quantity == CurvatureQuantity.TopEigenvalue ? "curvature/top_eigenvalue" : "curvature/trace";
}
