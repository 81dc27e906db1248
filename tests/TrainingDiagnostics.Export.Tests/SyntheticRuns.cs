using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Export.Tests;

/// <summary>Run logs with known content, written with <see cref="RunLogWriter"/>: every kind of record the export reads.</summary>
internal static class SyntheticRuns
{
    public static readonly string[] Parameters = ["encoder.0.weight", "encoder.0.bias", "head.weight"];

    /// <summary>
    /// A run of <paramref name="steps"/> steps: loss falling then a NaN at step 40 (with an incident), weight norms every
    /// 5 steps, update ratios every 10, the learning rate and durations, a validation metric every 25 steps, curvature
    /// every 50, a gradient spike at step 60 (a warning incident).
    /// </summary>
    public static void Write(string path, string runName, int steps, int seed, int? rank = null, int? worldSize = null)
    {
        var random = new Random(seed);
        using var writer = new RunLogWriter(path, new RunMetadata
        {
            RunName = runName,
            StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Rank = rank,
            WorldSize = worldSize,
        });
        for (int s = 0; s < steps; s++)
        {
            bool nan = s == 40;
            var layers = Parameters.Select((name, i) => new LayerStatistics
            {
                Name = name,
                GradientNorm = nan && i == 0 ? double.NaN : (i + 1) * (0.5 + random.NextDouble()) * (s == 60 ? 50 : 1),
                WeightNorm = s % 5 == 0 ? 10 + i + random.NextDouble() : null,
                UpdateRatio = s % 10 == 0 && s > 0 ? 1e-3 * (1 + random.NextDouble()) : null,
            }).ToList();
            if (nan)
            {
                writer.Write(new AnomalyEvent
                {
                    Kind = AnomalyKind.NonFiniteGradient,
                    Step = s,
                    Phase = AnomalyPhase.Backward,
                    ModulePath = "encoder.0",
                    Operation = "Linear",
                    NaNCount = 3,
                    Message = "NaN in the gradient of encoder.0.weight.",
                    Suggestion = "Lower the learning rate.",
                });
            }

            if (s == 60)
            {
                writer.Write(new AnomalyEvent
                {
                    Kind = AnomalyKind.ExplodingGradient,
                    Step = s,
                    Phase = AnomalyPhase.Backward,
                    Message = "The gradient norm jumped.",
                    Value = 123.5,
                    Threshold = 10,
                });
            }

            writer.Write(new StepRecord
            {
                Step = s,
                Loss = nan ? double.NaN : 2.0 / (1 + 0.05 * s) + 0.01 * random.NextDouble(),
                LearningRate = 0.01,
                ElapsedMilliseconds = 5 + random.NextDouble(),
                GradientNorm = Math.Sqrt(layers.Sum(l => l.GradientNorm!.Value * l.GradientNorm.Value)),
                Layers = layers,
            });
            if (s % 25 == 24)
                writer.Write(new MetricRecord { Step = s, Name = "validation/accuracy", Value = 0.5 + s / (2.0 * steps) });
            if (s % 50 == 0)
                writer.Write(new CurvatureRecord { Step = s, Quantity = CurvatureQuantity.TopEigenvalue, Value = 3 + random.NextDouble(), MatVecs = 20, Converged = true });
        }
    }
}
