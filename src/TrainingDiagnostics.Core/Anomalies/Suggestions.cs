using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Anomalies;

/// <summary>One concrete fix per kind of incident and, where it is known, per operation (module type or autograd node).</summary>
internal static class Suggestions
{
    public static string For(AnomalyKind kind, string? operation)
    {
        string op = operation ?? "";
        return kind switch
        {
            AnomalyKind.NonFiniteInput =>
                "The batch itself holds NaN or Inf: clean or impute the data before training (drop or fill missing values) and validate batches as they are loaded.",
            AnomalyKind.NonFiniteLoss =>
                "The model's output is finite but the loss is not: compute the loss from logits with stable functions (cross_entropy or log_softmax rather than log(softmax)), clamp arguments of log, and prefer a mean reduction over a sum for large batches.",
            AnomalyKind.NonFiniteParameter =>
                "A parameter became non-finite after an update: lower the learning rate, clip gradients with torch.nn.utils.clip_grad_norm_, and restore the last good weights (AnomalyPolicy.Rollback does it for you).",
            AnomalyKind.BatchNormDegenerate =>
                "BatchNorm in train mode needs more than one value per channel: drop the last incomplete batch (batch size 1) or call eval() for single-sample passes, then reset the poisoned running statistics with reset_running_stats().",
            AnomalyKind.ExplodingGradient =>
                "Lower the learning rate (or add warm-up), clip gradients with torch.nn.utils.clip_grad_norm_(parameters, 1.0), and standardize unscaled input features.",
            AnomalyKind.DivergingLoss =>
                "The loss is climbing while still finite: lower the learning rate by a factor of about 10 and check the learning-rate schedule.",
            AnomalyKind.VanishingGradient when op.Contains("ReLU", StringComparison.Ordinal) =>
                "The ReLU units are dead (their outputs are stuck at zero, so no gradient passes): use LeakyReLU or GELU, Kaiming initialization, a smaller learning rate, or remove the large negative bias in front of them.",
            AnomalyKind.VanishingGradient =>
                "Gradients no longer reach these layers: use residual connections or normalization, a non-saturating activation (ReLU/GELU instead of sigmoid/tanh), and Kaiming or Xavier initialization.",
            _ when op.StartsWith("Sqrt", StringComparison.Ordinal) =>
                "sqrt has an infinite derivative at 0: add a small epsilon inside the square root (sqrt(x + 1e-12)) or clamp its argument away from zero.",
            _ when op.StartsWith("Div", StringComparison.Ordinal) =>
                "A division by a value that reaches zero: add an epsilon to the denominator (x / (norm + 1e-12)).",
            _ when op.StartsWith("Log", StringComparison.Ordinal) =>
                "log needs a positive argument and its derivative 1/x explodes near 0: clamp the argument (log(x.clamp_min(1e-12))) or use log_softmax/logsumexp.",
            _ when op.StartsWith("Pow", StringComparison.Ordinal) =>
                "A fractional power has an infinite derivative at 0 and is undefined for negative bases: add an epsilon to the base or clamp it.",
            _ when op.StartsWith("Exp", StringComparison.Ordinal) || op.Contains("Softmax", StringComparison.Ordinal) =>
                "exp overflows float32 above ~88: subtract the maximum before exponentiating (x - x.max()) or use the built-in softmax/logsumexp.",
            _ when op.Contains("BatchNorm", StringComparison.Ordinal) =>
                "BatchNorm divides by the batch standard deviation: avoid batches of size 1 and constant channels, keep eps > 0, and check the inputs for NaN.",
            AnomalyKind.NonFiniteActivation =>
                "Guard this module's arithmetic: clamp arguments of log, sqrt and divisions away from zero, subtract the maximum before exp, or use the library's numerically stable functions.",
            _ =>
                "Clip gradients with torch.nn.utils.clip_grad_norm_ and check the domain of this operation (zero or negative arguments of sqrt, log, pow or a division).",
        };
    }
}
