using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// A training run built from clean curves plus the noise a real one has (seeded): minibatch noise on the loss and the gradient
/// norms (log-normal), per-parameter norms every step, weight norms and update ratios every 10 steps as the monitor records them
/// by default, held-out metrics every epoch, activation readings every 20 steps. Its defaults are a healthy run shaped like the
/// digits MLP's (64-32-10, 16 epochs of 25 steps): a loss from ln 10 towards 0.08, update ratios near 5e-3, a fifth of the
/// ReLU units dead. Each fault test changes the one curve its fault bends.
/// </summary>
internal sealed class SyntheticRun(int seed)
{
    public const int StepsPerEpoch = 25;

    private readonly Random _random = new(seed);

    public int Steps { get; set; } = 400;

    public string[] Parameters { get; set; } = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"];

    /// <summary>The clean loss at a step; the minibatch noise multiplies it.</summary>
    public Func<int, double> Loss { get; set; } = t => 0.08 + (2.22 * Math.Exp(-t / 60.0));

    /// <summary>The log-normal sigma of the loss's minibatch noise (0.35: the 10th and 90th percentiles a factor 2.5 apart, as in the digits runs).</summary>
    public double LossNoise { get; set; } = 0.35;

    /// <summary>The clean gradient norm of parameter <c>p</c> at step <c>t</c>.</summary>
    public Func<int, int, double> Gradient { get; set; } = (p, t) => (p % 2 == 0 ? 0.3 + (0.1 * p) : 0.07) * (0.5 + (0.5 * Math.Exp(-t / 200.0)));

    public double GradientNoise { get; set; } = 0.3;

    /// <summary>The clean update-to-weight ratio of parameter <c>p</c> measured at step <c>t</c>; null for none.</summary>
    public Func<int, int, double?> UpdateRatio { get; set; } = (p, t) => (p % 2 == 0 ? 5e-3 : 8e-3) * (0.6 + (0.4 * Math.Exp(-t / 300.0)));

    public double? LearningRate { get; set; } = 0.01;

    public Func<int, double>? LearningRateAt { get; set; }

    /// <summary>The clean held-out loss after epoch <c>e</c> (0-based); null for none recorded.</summary>
    public Func<int, double>? ValidationLoss { get; set; } = e => 0.12 + (2.1 * Math.Exp(-(e + 1) * StepsPerEpoch / 60.0));

    /// <summary>The clean held-out accuracy after epoch <c>e</c>; null for none recorded.</summary>
    public Func<int, double>? ValidationAccuracy { get; set; } = e => 0.96 - (0.8 * Math.Exp(-(e + 1) * StepsPerEpoch / 50.0));

    /// <summary>The relative noise of held-out metrics between evaluations (a fixed held-out set: small).</summary>
    public double ValidationNoise { get; set; } = 0.03;

    /// <summary>Activation instruments: the module, what is measured, and its clean share at a step (read as k of 64 units, binomial).</summary>
    public List<(string Module, string Prefix, Func<int, double> Share)> Activations { get; } =
    [
        ("relu1", InstrumentMetricNames.DeadFractionPrefix, t => 0.18),
        ("relu2", InstrumentMetricNames.DeadFractionPrefix, t => 0.25),
    ];

    public List<AnomalyEvent> Anomalies { get; } = [];

    public List<DataProfileRecord> Profiles { get; } = [];

    public List<CurvatureRecord> Curvature { get; } = [];

    public List<MetricRecord> ExtraMetrics { get; } = [];

    public DiagnosticsRun Build()
    {
        var steps = new List<StepRecord>(Steps);
        var metrics = new List<MetricRecord>();
        for (int t = 0; t < Steps; t++)
        {
            var layers = new LayerStatistics[Parameters.Length];
            for (int p = 0; p < Parameters.Length; p++)
            {
                // A parameter the optimizer does not move: update ratio exactly 0, weight norm unchanged.
                double? clean = UpdateRatio(p, t);
                bool frozen = clean == 0;
                layers[p] = new LayerStatistics
                {
                    Name = Parameters[p],
                    GradientNorm = Gradient(p, t) * Noise(GradientNoise),
                    WeightNorm = t % 10 == 0 ? (p % 2 == 0 ? 4.6 : 0.5) + (frozen ? 0 : 0.001 * t) : null,
                    UpdateRatio = t % 10 == 1 && clean is double r ? (frozen ? 0 : r * Noise(0.3)) : null,
                };
            }

            steps.Add(new StepRecord
            {
                Step = t,
                Epoch = t / StepsPerEpoch,
                Loss = Loss(t) * Noise(LossNoise),
                LearningRate = LearningRateAt?.Invoke(t) ?? LearningRate,
                Layers = layers,
                GradientNorm = Math.Sqrt(layers.Sum(l => l.GradientNorm!.Value * l.GradientNorm!.Value)),
                ElapsedMilliseconds = 1,
            });

            if (t % 20 == 0)
            {
                foreach (var (module, prefix, share) in Activations)
                {
                    int units = Enumerable.Range(0, 64).Count(_ => _random.NextDouble() < share(t));
                    metrics.Add(new MetricRecord { Step = t, Name = prefix + module, Value = units / 64.0 });
                }
            }

            if ((t + 1) % StepsPerEpoch == 0)
            {
                int epoch = t / StepsPerEpoch;
                if (ValidationLoss is not null)
                {
                    metrics.Add(new MetricRecord { Step = t, Name = "validation/loss", Value = ValidationLoss(epoch) * Noise(ValidationNoise) });
                }

                if (ValidationAccuracy is not null)
                {
                    metrics.Add(new MetricRecord { Step = t, Name = "validation/accuracy", Value = Math.Min(1, ValidationAccuracy(epoch) * Noise(ValidationNoise / 3)) });
                }
            }
        }

        return new DiagnosticsRun
        {
            Metadata = new RunMetadata { RunName = "synthetic", ModelDescription = "MLP 64-64-32-10", Seed = seed, Tags = new Dictionary<string, string> { ["optimizer"] = "SGD" } },
            Steps = steps,
            Metrics = [.. metrics, .. ExtraMetrics],
            Anomalies = Anomalies,
            DataProfiles = Profiles,
            Curvature = Curvature,
        };
    }

    /// <summary>A log-normal factor with median 1.</summary>
    public double Noise(double sigma) => Math.Exp(sigma * Normal());

    public double Normal() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
