using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.Report.Findings;
using static TorchSharp.torch;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// Trains one benchmark scenario the way a user's script would: an ordinary TorchSharp loop (minibatches, cross-entropy,
/// <c>optimizer.step()</c>) under a <see cref="TrainingMonitor"/> with default <see cref="MonitorOptions"/> (the optimizer given,
/// a run log written; <see cref="AnomalyPolicy.Record"/> where the plant asks for it), the validation loss and accuracy
/// recorded after each epoch with <see cref="TrainingMonitor.RecordMetric"/>. The report's rules then judge the log.
/// Trains on one libtorch thread.
/// </summary>
public static class ScenarioTraining
{
    /// <summary>The metric name of the validation loss.</summary>
    public const string ValidationLoss = "validation/loss";

    /// <summary>The metric name of the validation accuracy.</summary>
    public const string ValidationAccuracy = "validation/accuracy";

    /// <summary>The share of each dataset held out for validation, by a split fixed per dataset (not per seed).</summary>
    public const double ValidationShare = 0.2;

    /// <summary>The negative slope of the LeakyReLU a replace-activation remedy puts in (PyTorch's default).</summary>
    public const double LeakySlope = 0.01;

    /// <summary>Trains <paramref name="scenario"/> (its plant, or none when <paramref name="planted"/> is false) with <paramref name="remedies"/> applied.</summary>
    /// <param name="scenario">The setting, plant and seed.</param>
    /// <param name="remedies">The remedies to apply; <see cref="RemedySet.None"/> for the scenario as planted.</param>
    /// <param name="planted">False to train the healthy setting (the reference a healed run must reach).</param>
    /// <returns>The run, its verdict and the harness's own measurements.</returns>
    public static TrainingOutcome Run(SilentFaultScenario scenario, RemedySet remedies, bool planted = true)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(remedies);
        string folder = Path.Combine(Path.GetTempPath(), "tdiag-silent-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);

        // The models are tiny: one intra-op thread is fastest, and on a busy machine libtorch's spinning workers make the same
        // steps many times slower (see the demo).
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return Train(scenario, remedies, planted ? scenario.Plant : FaultPlant.None, Path.Combine(folder, "run.jsonl"));
        }
        finally
        {
            torch.set_num_threads(threads);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static TrainingOutcome Train(SilentFaultScenario scenario, RemedySet remedies, FaultPlant plant, string runLogPath)
    {
        var clock = Stopwatch.StartNew();
        TrainingSetting setting = scenario.Setting;
        TabularData data = TabularData.Load(setting.Dataset);
        (int[] train, int[] validation) = Split(data, plant.TrainRows);

        torch.manual_seed(scenario.Seed);
        var random = new Random(scenario.Seed);
        long[] trainLabels = Labels(data, train, plant.Labels, random);
        float[] features = plant.ColumnDecades is int decades ? MixedUnits(data, decades) : data.Features;
        bool standardize = (setting.Standardize && !plant.RawInputs) || remedies.StandardizeInputs;

        (Tensor trainX, Tensor validationX) = Inputs(features, data.Columns, train, validation, standardize);
        using Tensor disposeTrainX = trainX, disposeValidationX = validationX;
        using Tensor trainY = tensor(trainLabels), validationY = tensor(validation.Select(r => data.Labels[r]).ToArray());
        (double[] inputMeans, double[] inputScales) = Moments(trainX);

        var unresolved = new List<string>();
        int[] hidden = plant.Hidden ?? setting.Hidden;
        var layers = Build(hidden, setting.Activation, data, Resolve(hidden.Length, remedies.ReplaceActivation, Kind.Activation, unresolved));
        using var model = nn.Sequential(layers.Select(l => (l.Name, (nn.Module<Tensor, Tensor>)l.Module)).ToArray());
        PlantInitialization(model, plant);
        Reinitialize(model, Resolve(hidden.Length, remedies.Reinitialize, Kind.Layer, unresolved));
        HashSet<string> added = Resolve(hidden.Length, remedies.AddToOptimizer, Kind.Parameter, unresolved);
        var parameters = model.named_parameters()
            .Where(p => !plant.Frozen.Any(m => p.name.StartsWith(m + ".", StringComparison.Ordinal)) || added.Contains(p.name))
            .Select(p => p.parameter)
            .ToList();
        double learningRate = (plant.LearningRate ?? setting.LearningRate) * remedies.LearningRateFactor;
        using optim.Optimizer optimizer = (plant.Optimizer ?? setting.Optimizer) switch
        {
            OptimizerKind.Adam => optim.Adam(parameters, lr: learningRate),
            OptimizerKind.Sgd => optim.SGD(parameters, learningRate),
            _ => optim.SGD(parameters, learningRate, momentum: 0.9),
        };

        var options = new MonitorOptions
        {
            RunLogPath = runLogPath,
            RunName = scenario.Name,
            Seed = scenario.Seed,
            Optimizer = optimizer,
            Policy = plant.RecordPolicy ? AnomalyPolicy.Record : new MonitorOptions().Policy,
            Tags = new Dictionary<string, string>
            {
                ["problem"] = scenario.Problem,
                ["setting"] = setting.Name,
                ["plant"] = scenario.Description,
                ["remedies"] = remedies.Describe(),
                ["classes"] = data.Classes.ToString(CultureInfo.InvariantCulture),
            },
        };

        int epochs = plant.Epochs ?? setting.Epochs;
        var losses = new List<double>();
        var validationLoss = new List<double>();
        var validationAccuracy = new List<double>();
        var evaluationSteps = new List<long>();
        long step = 0;
        using (var monitor = new TrainingMonitor(model, options))
        {
            int[] order = Enumerable.Range(0, train.Length).ToArray();
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                model.train();
                random.Shuffle(order);
                for (int start = 0; start < order.Length; start += setting.BatchSize)
                {
                    int end = Math.Min(start + setting.BatchSize, order.Length);
                    if (remedies.DropLastBatch && start > 0 && end - start < setting.BatchSize)
                    {
                        break;
                    }

                    using var scope = NewDisposeScope();
                    Tensor index = tensor(order[start..end].Select(i => (long)i).ToArray());
                    Tensor x = trainX.index_select(0, index), y = trainY.index_select(0, index);
                    StepResult result = monitor.Step(step, () => nn.functional.cross_entropy(model.call(x), y));
                    if (result.ShouldStep)
                    {
                        if (remedies.ClipGradientNorm is double maxNorm)
                        {
                            nn.utils.clip_grad_norm_(model.parameters(), maxNorm);
                        }

                        optimizer.step();
                    }

                    losses.Add(result.Loss);
                    step++;
                }

                (double loss, double accuracy) = Evaluate(model, validationX, validationY);
                monitor.RecordMetric(step - 1, ValidationLoss, loss);
                monitor.RecordMetric(step - 1, ValidationAccuracy, accuracy);
                validationLoss.Add(loss);
                validationAccuracy.Add(accuracy);
                evaluationSteps.Add(step - 1);
                if (remedies.StopAtStep is long stop && step - 1 >= stop)
                {
                    break;
                }
            }
        }

        IReadOnlyDictionary<string, double> health = ActivationHealth(model, layers, trainX);
        DiagnosticsRun run = RunLogReader.Read(runLogPath);
        RunVerdict verdict = FindingRules.Evaluate(run);
        clock.Stop();
        return new TrainingOutcome
        {
            Run = run,
            Verdict = verdict,
            Losses = [.. losses],
            ValidationLoss = [.. validationLoss],
            ValidationAccuracy = [.. validationAccuracy],
            EvaluationSteps = [.. evaluationSteps],
            LearningRate = learningRate,
            ActivationHealth = health,
            InputScales = inputScales,
            InputMeans = inputMeans,
            Unresolved = unresolved,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>The training and validation rows: a shuffle fixed per dataset (the same for every seed), the first fifth held out.</summary>
    private static (int[] Train, int[] Validation) Split(TabularData data, int? trainRows)
    {
        var random = new Random(1000 + (int)data.Dataset);
        int[] order = Enumerable.Range(0, data.Rows).ToArray();
        random.Shuffle(order);
        int held = (int)Math.Round(data.Rows * ValidationShare);
        int[] train = order[held..];
        return (trainRows is int n ? train[..Math.Min(n, train.Length)] : train, order[..held]);
    }

    private static long[] Labels(TabularData data, int[] train, LabelNoise noise, Random random)
    {
        long[] labels = train.Select(r => data.Labels[r]).ToArray();
        switch (noise)
        {
            case LabelNoise.Shuffled:
                random.Shuffle(labels);
                break;
            case LabelNoise.Random:
                for (int i = 0; i < labels.Length; i++)
                {
                    labels[i] = random.Next(data.Classes);
                }

                break;
        }

        return labels;
    }

    /// <summary>Column j times 10^(j mod <paramref name="decades"/>), plus 10·(j mod 3): features in mixed units.</summary>
    private static float[] MixedUnits(TabularData data, int decades)
    {
        float[] values = (float[])data.Features.Clone();
        for (int i = 0; i < values.Length; i++)
        {
            int column = i % data.Columns;
            values[i] = (values[i] * MathF.Pow(10, column % decades)) + (10 * (column % 3));
        }

        return values;
    }

    private static (Tensor Train, Tensor Validation) Inputs(float[] features, int columns, int[] train, int[] validation, bool standardize)
    {
        using var scope = NewDisposeScope();
        Tensor Rows(int[] rows) => tensor(rows.SelectMany(r => features.AsSpan(r * columns, columns).ToArray()).ToArray(), [rows.Length, columns]);
        Tensor trainX = Rows(train), validationX = Rows(validation);
        if (standardize)
        {
            Tensor mean = trainX.mean([0]);
            Tensor std = trainX.std(0);
            std = where(std.gt(1e-6), std, ones_like(std));
            (trainX, validationX) = ((trainX - mean) / std, (validationX - mean) / std);
        }

        return (trainX.MoveToOuterDisposeScope(), validationX.MoveToOuterDisposeScope());
    }

    /// <summary>Each column's mean and standard deviation over the rows of <paramref name="x"/>.</summary>
    private static (double[] Means, double[] Scales) Moments(Tensor x)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return (x.mean([0]).to_type(ScalarType.Float64).data<double>().ToArray(), x.std(0).to_type(ScalarType.Float64).data<double>().ToArray());
    }

    private static List<(string Name, nn.Module Module, bool IsActivation)> Build(int[] hidden, ActivationKind kind, TabularData data, HashSet<string> leaky)
    {
        var layers = new List<(string, nn.Module, bool)>();
        int width = data.Columns;
        for (int i = 0; i < hidden.Length; i++)
        {
            layers.Add(($"fc{i + 1}", nn.Linear(width, hidden[i]), false));
            string activation = $"act{i + 1}";
            nn.Module module = leaky.Contains(activation) ? nn.LeakyReLU(LeakySlope) : kind switch
            {
                ActivationKind.ReLU => nn.ReLU(),
                ActivationKind.Tanh => nn.Tanh(),
                _ => nn.Sigmoid(),
            };
            layers.Add((activation, module, true));
            width = hidden[i];
        }

        layers.Add(($"fc{hidden.Length + 1}", nn.Linear(width, data.Classes), false));
        return layers;
    }

    private enum Kind
    {
        Parameter,
        Layer,
        Activation,
    }

    /// <summary>
    /// Resolves remedy targets against the benchmark MLP's names (fc1, act1, ..., fcN): for <see cref="Kind.Parameter"/> the
    /// parameters a target names (itself, or a module's); for <see cref="Kind.Layer"/> the linear layer of a parameter, of
    /// itself, or feeding an activation; for <see cref="Kind.Activation"/> an activation, or the one a layer feeds.
    /// </summary>
    private static HashSet<string> Resolve(int hidden, IReadOnlyList<string> targets, Kind kind, List<string> unresolved)
    {
        var modules = Enumerable.Range(1, hidden).SelectMany(i => new[] { $"fc{i}", $"act{i}" }).Append($"fc{hidden + 1}").ToArray();
        var resolved = new HashSet<string>();
        foreach (string target in targets)
        {
            string module = target.Split('.')[0];
            int index = module.StartsWith("fc", StringComparison.Ordinal) || module.StartsWith("act", StringComparison.Ordinal)
                ? int.TryParse(module.AsSpan(module.StartsWith("fc", StringComparison.Ordinal) ? 2 : 3), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : -1
                : -1;
            if (!modules.Contains(module) || index < 1)
            {
                unresolved.Add(target);
                continue;
            }

            bool isActivation = module.StartsWith("act", StringComparison.Ordinal);
            switch (kind)
            {
                case Kind.Parameter when !isActivation:
                    string[] names = target.Contains('.') ? [target] : [$"{module}.weight", $"{module}.bias"];
                    resolved.UnionWith(names);
                    break;
                case Kind.Layer:
                    resolved.Add($"fc{index}");
                    break;
                case Kind.Activation when isActivation || index <= hidden:
                    resolved.Add($"act{index}");
                    break;
                default:
                    unresolved.Add(target);
                    break;
            }
        }

        return resolved;
    }

    private static void PlantInitialization(nn.Module model, FaultPlant plant)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (plant.BiasModule is { } biasModule)
        {
            Tensor bias = parameters[$"{biasModule}.bias"];
            long count = (long)Math.Ceiling(bias.shape[0] * plant.BiasShare);
            bias[TensorIndex.Slice(0, count)] = plant.BiasValue;
        }

        if (plant.WeightModule is { } weightModule)
        {
            parameters[$"{weightModule}.weight"].mul_(plant.WeightScale);
        }
    }

    /// <summary>PyTorch's default initialization of a linear layer, drawn afresh: Kaiming-uniform weights (a = √5), biases uniform in ±1/√fan-in.</summary>
    private static void Reinitialize(nn.Module model, HashSet<string> layers)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (string layer in layers)
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            Tensor weight = parameters[$"{layer}.weight"];
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            double bound = 1 / Math.Sqrt(weight.shape[1]);
            nn.init.uniform_(parameters[$"{layer}.bias"], -bound, bound);
        }
    }

    private static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor logits = model.call(x);
        double loss = nn.functional.cross_entropy(logits, y).item<float>();
        long correct = logits.argmax(1).eq(y).sum().item<long>();
        return (loss, correct / (double)y.shape[0]);
    }

    /// <summary>Each activation's health on the training rows, by running the layers one by one (no hooks needed).</summary>
    private static IReadOnlyDictionary<string, double> ActivationHealth(nn.Module model, List<(string Name, nn.Module Module, bool IsActivation)> layers, Tensor x)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var health = new Dictionary<string, double>();
        Tensor h = x;
        foreach ((string name, nn.Module module, bool isActivation) in layers)
        {
            h = ((nn.Module<Tensor, Tensor>)module).call(h);
            if (!isActivation)
            {
                continue;
            }

            health[name] = module switch
            {
                TorchSharp.Modules.ReLU => h.le(0).all(0).to_type(ScalarType.Float64).mean().item<double>(),
                TorchSharp.Modules.Tanh => h.abs().gt(0.99).to_type(ScalarType.Float64).mean().item<double>(),
                TorchSharp.Modules.Sigmoid => h.lt(0.01).logical_or(h.gt(0.99)).to_type(ScalarType.Float64).mean().item<double>(),
                _ => double.NaN,
            };
        }

        return health;
    }
}
