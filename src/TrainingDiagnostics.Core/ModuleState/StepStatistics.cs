namespace TrainingDiagnostics.ModuleState;

/// <summary>What the always-on checks read from the device in the step's one transfer.</summary>
internal sealed class StepStatistics
{
    public double Loss { get; init; }

    /// <summary>Per-parameter gradient L2 norms; null for a parameter without gradient.</summary>
    public required double?[] GradientNorms { get; init; }

    /// <summary>Whether every BatchNorm running statistic is finite (true for a model without them).</summary>
    public required bool RunningStatisticsFinite { get; init; }

    /// <summary>The L2 norm of all gradients together (NaN or infinite when a gradient is).</summary>
    public double TotalGradientNorm
    {
        get
        {
            double sum = 0;
            foreach (var n in GradientNorms)
                if (n is { } v)
                    sum += v * v;
            return Math.Sqrt(sum);
        }
    }
}
