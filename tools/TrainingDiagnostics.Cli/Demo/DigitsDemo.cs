using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// Trains a small MLP (64-32-10, ReLU, Adam) on the digits images on the CPU under a <see cref="TrainingMonitor"/>,
/// which records the loss, per-parameter gradient and weight norms and update ratios of every step in a run log,
/// and names the place and cause of anything that goes wrong. Optionally plants a <see cref="DemoFault"/>.
/// </summary>
internal static class DigitsDemo
{
    /// <summary>The name of the held-out loss metric recorded after each epoch.</summary>
    public const string ValidationLoss = "validation/loss";

    /// <summary>The name of the held-out accuracy metric recorded after each epoch.</summary>
    public const string ValidationAccuracy = "validation/accuracy";

    private const int Hidden = 32;

    /// <summary>Trains; <paramref name="progress"/> gets (epochs done, a status line) after each epoch.</summary>
    public static DemoResult Train(DemoSettings settings, DigitsDataset data, string runLogPath, Action<double, string?> progress)
    {
        // The matrices are tiny (batch 64 x 64): one intra-op thread is fastest, and on a busy machine
        // libtorch's spinning worker threads made the same 230 steps 20-40x slower (0.2 s vs 5-9 s).
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return TrainOnOneThread(settings, data, runLogPath, progress);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>The command-line name of a fault: lower case, words joined by hyphens (<c>dead-relu</c>, <c>lr-high</c>).</summary>
    public static string Name(DemoFault fault) => fault switch
    {
        DemoFault.DeadRelu => "dead-relu",
        DemoFault.LrHigh => "lr-high",
        DemoFault.LrLow => "lr-low",
        _ => fault.ToString().ToLowerInvariant(),
    };

    /// <summary>The fault whose <see cref="Name"/> is <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No fault has that name.</exception>
    public static DemoFault Parse(string name) =>
        Enum.GetValues<DemoFault>().FirstOrDefault(f => Name(f) == name, (DemoFault)(-1)) is var fault && Enum.IsDefined(fault)
            ? fault
            : throw new ArgumentException($"Unknown fault '{name}': expected one of {string.Join(", ", Enum.GetValues<DemoFault>().Select(Name))}.", nameof(name));

    /// <summary>
    /// The learning rate under <see cref="DemoFault.LrHigh"/>, for SGD with momentum <see cref="HighMomentum"/>: about ten
    /// times what trains this MLP well (0.1 to 0.3). The loss swings between 1 and 3 and never settles, finite; a larger rate
    /// kills the ReLUs instead (the loss sits at ln 10), a smaller one merely trains noisily.
    /// </summary>
    public const double HighLearningRate = 1.2;

    /// <summary>The momentum of the SGD the <see cref="DemoFault.LrHigh"/> fault trains with.</summary>
    public const double HighMomentum = 0.9;

    /// <summary>
    /// The learning rate a run trains with: the settings' rate (Adam), <see cref="HighLearningRate"/> (SGD with momentum)
    /// under <see cref="DemoFault.LrHigh"/>, 1000 times smaller under <see cref="DemoFault.LrLow"/> (the loss crawls); times
    /// the healing's factor.
    /// </summary>
    public static double LearningRate(DemoSettings settings) => settings.Fault switch
    {
        DemoFault.LrHigh => HighLearningRate,
        DemoFault.LrLow => settings.LearningRate / 1000,
        _ => settings.LearningRate,
    } * settings.Healing.LearningRateFactor;

    private static DemoResult TrainOnOneThread(DemoSettings settings, DigitsDataset data, string runLogPath, Action<double, string?> progress)
    {
        // The shuffles are done in C# with a seeded Random, libtorch's RNG only initializes the weights:
        // both are fixed by the seed, so two runs with the same seed log the same losses.
        torch.manual_seed(settings.Seed);
        var random = new Random(settings.Seed);
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        random.Shuffle(order);
        int heldOut = (int)Math.Round(data.Count * settings.HeldOutFraction);
        int[] trainIndex = order[heldOut..];
        int[] heldOutIndex = order[..heldOut];
        if (settings.Fault == DemoFault.Overfit)
        {
            trainIndex = trainIndex[..Math.Min(DemoSettings.OverfitTrainingImages, trainIndex.Length)]; // the planted fault: a tiny training set
        }

        using Tensor features = Features(settings.Fault, data);
        using Tensor labels = tensor(data.Labels);
        using Tensor trainY = Rows(labels, trainIndex), heldOutY = Rows(labels, heldOutIndex);
        (Tensor trainX, Tensor heldOutX) = Inputs(features, trainIndex, heldOutIndex, settings.Healing.StandardizeInputs);
        using Tensor disposeTrainX = trainX, disposeHeldOutX = heldOutX;

        using var model = BuildModel(settings.Fault, settings.Healing.ReplaceActivation);
        PlantInitializationFault(settings.Fault, model);
        Reinitialize(model, settings.Healing.Reinitialize);
        double learningRate = LearningRate(settings);
        using optim.Optimizer optimizer = settings.Fault == DemoFault.LrHigh
            ? optim.SGD(TrainedParameters(settings, model), learningRate, momentum: HighMomentum)
            : optim.Adam(TrainedParameters(settings, model), lr: learningRate);
        int stepsPerEpoch = (trainIndex.Length + settings.BatchSize - 1) / settings.BatchSize;
        int faultStep = settings.FaultStep(stepsPerEpoch * settings.Epochs);
        string healed = settings.Healing.IsEmpty ? "" : ", healed";
        var monitorOptions = new MonitorOptions
        {
            RunLogPath = runLogPath,
            RunName = settings.Fault == DemoFault.None ? $"tdiag demo: digits MLP{healed}" : $"tdiag demo: digits MLP, fault {Name(settings.Fault)}{healed}",
            Seed = settings.Seed,
            Optimizer = optimizer,
            PublishMetrics = false,
            Tags = Tags(settings, trainIndex.Length, heldOut, faultStep, learningRate),

            // Sharpness and Hessian trace on a logarithmic grid (about 25 of the 230 default steps), on a small budget of
            // Hessian-vector products: the report's Curvature section, for a few milliseconds per measured step.
            CurvatureSchedule = Schedule.Logarithmic(),
            CurvatureMatVecBudget = 20,
        };

        double firstLoss = double.NaN, lastLoss = double.NaN, heldOutLoss = double.NaN;
        int step = 0, skipped = 0;
        var anomalies = new List<AnomalyEvent>();
        var total = Stopwatch.StartNew();
        using (var monitor = new TrainingMonitor(model, monitorOptions))
        {
            int[] batchOrder = Enumerable.Range(0, trainIndex.Length).ToArray();
            for (int epoch = 0; epoch < settings.Epochs; epoch++)
            {
                model.train();
                random.Shuffle(batchOrder);
                double epochLoss = 0;
                int batches = 0;
                for (int start = 0; start < batchOrder.Length; start += settings.BatchSize)
                {
                    int end = Math.Min(start + settings.BatchSize, batchOrder.Length);
                    if (settings.Healing.DropLastBatch && end - start < settings.BatchSize && start > 0)
                    {
                        break;
                    }

                    using var scope = NewDisposeScope();
                    long[] batch = batchOrder[start..end].Select(i => (long)i).ToArray();
                    if (settings.Fault == DemoFault.BatchNorm && step == faultStep)
                    {
                        batch = batch[..1]; // the planted fault: a batch of one image, with BatchNorm in train mode
                    }

                    Tensor index = tensor(batch);
                    Tensor x = trainX.index_select(0, index), y = trainY.index_select(0, index);
                    PlantFault(settings.Fault, step, faultStep, x, optimizer, learningRate);
                    StepResult result = monitor.Step(step, () => nn.functional.cross_entropy(model.call(x), y));
                    if (result.ShouldStep)
                    {
                        if (settings.Healing.ClipGradientNorm is double maxNorm)
                        {
                            nn.utils.clip_grad_norm_(model.parameters(), maxNorm);
                        }

                        optimizer.step();
                    }
                    else
                    {
                        skipped++;
                    }

                    anomalies.AddRange(result.Anomalies);
                    firstLoss = step == 0 ? result.Loss : firstLoss;
                    lastLoss = result.Loss;
                    epochLoss += result.Loss;
                    step++;
                    batches++;
                }

                // Held-out loss and accuracy at the end of each epoch, recorded at the epoch's last step: the report
                // draws them over the training loss and judges the run by them.
                string heldOutText = "";
                if (heldOut > 0)
                {
                    (heldOutLoss, double heldOutAccuracy) = Evaluate(model, heldOutX, heldOutY);
                    monitor.RecordMetric(step - 1, ValidationLoss, heldOutLoss);
                    monitor.RecordMetric(step - 1, ValidationAccuracy, heldOutAccuracy);
                    heldOutText = string.Create(CultureInfo.InvariantCulture, $"  held-out loss {heldOutLoss:F4}, accuracy {heldOutAccuracy:P1}");
                }

                bool stop = settings.Healing.StopAtStep is long stopAt && step - 1 >= stopAt;
                progress(stop ? settings.Epochs : epoch + 1, string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch + 1,3}/{settings.Epochs}  mean loss {epochLoss / batches:F4}{heldOutText}{(stop ? "  (stopped early)" : "")}"));
                if (stop)
                {
                    break;
                }
            }
        }

        total.Stop();
        return new DemoResult(
            step,
            firstLoss,
            lastLoss,
            Accuracy(model, trainX, trainY),
            heldOut == 0 ? double.NaN : Accuracy(model, heldOutX, heldOutY),
            trainIndex.Length,
            heldOut,
            total.Elapsed,
            runLogPath,
            skipped,
            anomalies)
        {
            LearningRate = learningRate,
            HeldOutLoss = heldOutLoss,
        };
    }

    private static Tensor Features(DemoFault fault, DigitsDataset data) =>
        tensor(PixelValues(fault, data), [data.Count, DigitsDataset.FeatureCount]);

    /// <summary>
    /// The images, row-major [Count, 64], pixels in 0..1; under <see cref="DemoFault.Unscaled"/> column j is multiplied by
    /// 10^(j mod 5) and shifted by 10·(j mod 3), as raw measurements in mixed units would come. Shared by the ML.NET demo.
    /// </summary>
    internal static float[] PixelValues(DemoFault fault, DigitsDataset data)
    {
        if (fault != DemoFault.Unscaled)
        {
            return data.Features;
        }

        float[] values = (float[])data.Features.Clone();
        for (int i = 0; i < values.Length; i++)
        {
            int column = i % DigitsDataset.FeatureCount;
            values[i] = (values[i] * MathF.Pow(10, column % 5)) + (10 * (column % 3));
        }

        return values;
    }

    /// <summary>
    /// The training and held-out rows; with <paramref name="standardize"/>, both standardized with the training rows' column
    /// means and standard deviations (a constant column, as the digits' always-blank corner pixels, is only centred).
    /// </summary>
    private static (Tensor Train, Tensor HeldOut) Inputs(Tensor features, int[] trainIndex, int[] heldOutIndex, bool standardize)
    {
        using var scope = NewDisposeScope();
        Tensor train = Rows(features, trainIndex), heldOut = Rows(features, heldOutIndex);
        if (standardize)
        {
            Tensor mean = train.mean([0]);
            Tensor std = train.std(0);
            std = where(std.gt(1e-6), std, ones_like(std));
            (train, heldOut) = ((train - mean).div(std), (heldOut - mean).div(std));
        }

        return (train.MoveToOuterDisposeScope(), heldOut.MoveToOuterDisposeScope());
    }

    /// <summary>What the optimizer updates: every parameter, but fc1 under <see cref="DemoFault.Frozen"/> unless the healing adds it back.</summary>
    private static IEnumerable<TorchSharp.Modules.Parameter> TrainedParameters(DemoSettings settings, nn.Module model) =>
        from p in model.named_parameters()
        where !(settings.Fault == DemoFault.Frozen && p.name.StartsWith("fc1.", StringComparison.Ordinal)) || settings.Healing.AddToOptimizer.Contains(p.name)
        select p.parameter;

    /// <summary>The <see cref="DemoFault.DeadRelu"/> fault, planted in the model's initialization: fc1's bias at -4, far below anything w·x reaches on pixels in 0..1.</summary>
    internal static void PlantInitializationFault(DemoFault fault, nn.Module model)
    {
        if (fault != DemoFault.DeadRelu)
        {
            return;
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.named_parameters().Single(p => p.name == "fc1.bias").parameter.fill_(-4);
    }

    /// <summary>
    /// Draws the parameters of each module in <paramref name="paths"/> afresh with PyTorch's default initialization of
    /// linear and convolution layers (Kaiming-uniform weights with a = √5, biases uniform in ±1/√fan-in; a one-dimensional
    /// weight, as a norm layer's, back to 1 and its bias to 0).
    /// </summary>
    internal static void Reinitialize(nn.Module model, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return;
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach ((string name, nn.Module module) in model.named_modules().Where(m => paths.Contains(m.name)))
        {
            var own = module.named_parameters(recurse: false).ToList();
            Tensor? weight = own.FirstOrDefault(p => p.name == "weight").parameter;
            foreach ((string parameterName, TorchSharp.Modules.Parameter parameter) in own)
            {
                if (parameter.dim() >= 2)
                {
                    nn.init.kaiming_uniform_(parameter, a: Math.Sqrt(5));
                }
                else if (weight is not null && weight.dim() >= 2)
                {
                    (long fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
                    double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                    nn.init.uniform_(parameter, -bound, bound);
                }
                else if (parameterName == "weight")
                {
                    nn.init.ones_(parameter);
                }
                else
                {
                    nn.init.zeros_(parameter);
                }
            }
        }
    }

    /// <summary>
    /// The demo's MLP 64-32-10, with the layer a fault needs (BatchNorm, a sqrt gate); shared by the ML.NET demo. The ReLU
    /// modules named in <paramref name="leaky"/> are built as LeakyReLU (slope 0.01) instead: the replace-activation remedy.
    /// </summary>
    internal static nn.Module<Tensor, Tensor> BuildModel(DemoFault fault, IReadOnlyList<string>? leaky = null)
    {
        nn.Module<Tensor, Tensor> Relu(string name) => leaky?.Contains(name) == true ? nn.LeakyReLU(LeakySlope) : nn.ReLU();
        return fault switch
        {
            DemoFault.BatchNorm => nn.Sequential(
                ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden)),
                ("bn", nn.BatchNorm1d(Hidden)),
                ("relu", Relu("relu")),
                ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
            DemoFault.Sqrt => nn.Sequential(
                ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden, hasBias: false)),
                ("gate", new SqrtGate()),
                ("relu", Relu("relu")),
                ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
            _ => nn.Sequential(
                ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden)),
                ("relu", Relu("relu")),
                ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
        };
    }

    /// <summary>The negative slope of the LeakyReLU that replaces a dead ReLU (PyTorch's default).</summary>
    public const double LeakySlope = 0.01;

    private static void PlantFault(DemoFault fault, int step, int faultStep, Tensor x, optim.Optimizer optimizer, double learningRate)
    {
        if (step != faultStep)
        {
            return;
        }

        switch (fault)
        {
            case DemoFault.Lr:
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate * 1000; // the mistake: a learning rate 1000 times too large, from here on
                }

                break;
            case DemoFault.Data:
                using (no_grad())
                {
                    x[Math.Min(3, x.shape[0] - 1), 10] = float.NaN; // one corrupt pixel in one image
                }

                break;
            case DemoFault.Sqrt:
                using (no_grad())
                {
                    x[0] = zeros(DigitsDataset.FeatureCount); // a blank image: fc1 (no bias) hands exact zeros to the sqrt layer
                }

                break;
        }
    }

    private static Tensor Rows(Tensor source, int[] rows)
    {
        using Tensor index = tensor(rows.Select(i => (long)i).ToArray());
        return source.index_select(0, index);
    }

    private static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        if (y.shape[0] == 0)
        {
            return double.NaN;
        }

        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long correct = model.call(x).argmax(1).eq(y).sum().item<long>();
        return correct / (double)y.shape[0];
    }

    /// <summary>The mean cross-entropy and the accuracy of <paramref name="model"/> on (x, y), in eval mode without gradients.</summary>
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

    private static Dictionary<string, string> Tags(DemoSettings settings, int trainCount, int heldOutCount, int faultStep, double learningRate)
    {
        string lr = learningRate.ToString(CultureInfo.InvariantCulture);
        var tags = new Dictionary<string, string>
        {
            ["model"] = Describe(settings.Fault),
            ["dataset"] = "digits (UCI Optical Recognition of Handwritten Digits, 8x8)",
            ["train images"] = trainCount.ToString(CultureInfo.InvariantCulture),
            ["held-out images"] = heldOutCount.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = settings.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch size"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = settings.Fault == DemoFault.LrHigh ? $"SGD (momentum {HighMomentum.ToString(CultureInfo.InvariantCulture)})" : "Adam",
            ["learning rate"] = lr,
        };
        if (settings.Fault != DemoFault.None)
        {
            tags["planted fault"] = settings.Fault is DemoFault.BatchNorm or DemoFault.Lr or DemoFault.Data or DemoFault.Sqrt
                ? $"{Name(settings.Fault)} at step {faultStep.ToString(CultureInfo.InvariantCulture)}"
                : Name(settings.Fault);
        }

        if (!settings.Healing.IsEmpty)
        {
            tags["healing"] = HealPlan.Describe(settings.Healing);
        }

        return tags;
    }

    private static string Describe(DemoFault fault) => fault switch
    {
        DemoFault.BatchNorm => $"MLP {DigitsDataset.FeatureCount}-{Hidden}-{DigitsDataset.ClassCount} with BatchNorm1d after fc1 (ReLU), cross-entropy",
        DemoFault.Sqrt => $"MLP {DigitsDataset.FeatureCount}-{Hidden}-{DigitsDataset.ClassCount} with a sqrt gate after fc1 (ReLU), cross-entropy",
        _ => $"MLP {DigitsDataset.FeatureCount}-{Hidden}-{DigitsDataset.ClassCount} (ReLU), cross-entropy",
    };
}
