using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>A synthetic long run: decaying loss with noise, per-parameter norms, a NaN gradient and an exploding-gradient incident.</summary>
internal static class LargeRun
{
    public static DiagnosticsRun Create(int steps, int parameters)
    {
        var random = new Random(3);
        string[] names = Enumerable.Range(0, parameters).Select(i => $"encoder.block{i / 2}.{(i % 2 == 0 ? "weight" : "bias")}").ToArray();
        int nanStep = steps / 2, explodingStep = steps / 4;
        var records = new StepRecord[steps];
        for (int s = 0; s < steps; s++)
        {
            var layers = new LayerStatistics[parameters];
            for (int p = 0; p < parameters; p++)
            {
                layers[p] = new LayerStatistics
                {
                    Name = names[p],
                    GradientNorm = s == nanStep && p == 7 ? double.NaN : Math.Exp((-0.02 * p) + random.NextDouble() - (2.0 * s / steps)),
                    WeightNorm = 1 + p,
                    UpdateRatio = s % 10 == 0 ? 1e-3 * Math.Exp(random.NextDouble()) : null,
                };
            }

            records[s] = new StepRecord
            {
                Step = s,
                Loss = s == nanStep ? double.NaN : (2.3 * Math.Exp(-3.0 * s / steps)) + (0.05 * random.NextDouble()),
                Layers = layers,
                ElapsedMilliseconds = 2.5,
            };
        }

        return new DiagnosticsRun
        {
            Metadata = new RunMetadata { RunName = "synthetic long run", ModelDescription = $"{parameters} parameter tensors", Device = "cpu", Seed = 3 },
            Steps = records,
            Anomalies =
            [
                new AnomalyEvent { Kind = AnomalyKind.ExplodingGradient, Step = explodingStep, Phase = AnomalyPhase.Backward, Message = "Gradient norm 40 times its typical value.", Value = 40, Threshold = 6 },
                new AnomalyEvent { Kind = AnomalyKind.NonFiniteGradient, Step = nanStep, Phase = AnomalyPhase.Backward, ModulePath = "encoder.block3", Operation = "SqrtBackward0", Message = "NaN in the backward pass of sqrt.", Suggestion = "Clamp the input of sqrt." },
            ],
        };
    }
}
