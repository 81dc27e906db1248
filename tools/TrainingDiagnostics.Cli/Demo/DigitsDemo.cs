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

    /// <summary>The command-line name of a fault.</summary>
    public static string Name(DemoFault fault) => fault.ToString().ToLowerInvariant();

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

        using Tensor features = tensor(data.Features, [data.Count, DigitsDataset.FeatureCount]);
        using Tensor labels = tensor(data.Labels);
        using Tensor trainX = Rows(features, trainIndex), trainY = Rows(labels, trainIndex);
        using Tensor heldOutX = Rows(features, heldOutIndex), heldOutY = Rows(labels, heldOutIndex);

        using var model = BuildModel(settings.Fault);
        using var optimizer = optim.Adam(model.parameters(), lr: settings.LearningRate);
        int stepsPerEpoch = (trainIndex.Length + settings.BatchSize - 1) / settings.BatchSize;
        int faultStep = settings.FaultStep(stepsPerEpoch * settings.Epochs);
        var monitorOptions = new MonitorOptions
        {
            RunLogPath = runLogPath,
            RunName = settings.Fault == DemoFault.None ? "tdiag demo: digits MLP" : $"tdiag demo: digits MLP, fault {Name(settings.Fault)}",
            Seed = settings.Seed,
            Optimizer = optimizer,
            PublishMetrics = false,
            Tags = Tags(settings, trainIndex.Length, heldOut, faultStep),

            // Sharpness and Hessian trace on a logarithmic grid (about 25 of the 230 default steps), on a small budget of
            // Hessian-vector products: the report's Curvature section, for a few milliseconds per measured step.
            CurvatureSchedule = Schedule.Logarithmic(),
            CurvatureMatVecBudget = 20,
        };

        double firstLoss = double.NaN, lastLoss = double.NaN;
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
                for (int start = 0; start < batchOrder.Length; start += settings.BatchSize, step++, batches++)
                {
                    using var scope = NewDisposeScope();
                    long[] batch = batchOrder[start..Math.Min(start + settings.BatchSize, batchOrder.Length)].Select(i => (long)i).ToArray();
                    if (settings.Fault == DemoFault.BatchNorm && step == faultStep)
                    {
                        batch = batch[..1]; // the planted fault: a batch of one image, with BatchNorm in train mode
                    }

                    Tensor index = tensor(batch);
                    Tensor x = trainX.index_select(0, index), y = trainY.index_select(0, index);
                    PlantFault(settings.Fault, step, faultStep, x, optimizer, settings.LearningRate);
                    StepResult result = monitor.Step(step, () => nn.functional.cross_entropy(model.call(x), y));
                    if (result.ShouldStep)
                    {
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
                }

                // Held-out loss and accuracy at the end of each epoch, recorded at the epoch's last step: the report
                // draws them over the training loss and judges the run by them.
                string heldOutText = "";
                if (heldOut > 0)
                {
                    (double heldOutLoss, double heldOutAccuracy) = Evaluate(model, heldOutX, heldOutY);
                    monitor.RecordMetric(step - 1, ValidationLoss, heldOutLoss);
                    monitor.RecordMetric(step - 1, ValidationAccuracy, heldOutAccuracy);
                    heldOutText = string.Create(CultureInfo.InvariantCulture, $"  held-out loss {heldOutLoss:F4}, accuracy {heldOutAccuracy:P1}");
                }

                progress(epoch + 1, string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch + 1,3}/{settings.Epochs}  mean loss {epochLoss / batches:F4}{heldOutText}"));
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
            anomalies);
    }

    /// <summary>The demo's MLP 64-32-10, with the layer a fault needs (BatchNorm, a sqrt gate); shared by the ML.NET demo.</summary>
    internal static nn.Module<Tensor, Tensor> BuildModel(DemoFault fault) => fault switch
    {
        DemoFault.BatchNorm => nn.Sequential(
            ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden)),
            ("bn", nn.BatchNorm1d(Hidden)),
            ("relu", nn.ReLU()),
            ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
        DemoFault.Sqrt => nn.Sequential(
            ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden, hasBias: false)),
            ("gate", new SqrtGate()),
            ("relu", nn.ReLU()),
            ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
        _ => nn.Sequential(
            ("fc1", nn.Linear(DigitsDataset.FeatureCount, Hidden)),
            ("relu", nn.ReLU()),
            ("fc2", nn.Linear(Hidden, DigitsDataset.ClassCount))),
    };

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

    private static Dictionary<string, string> Tags(DemoSettings settings, int trainCount, int heldOutCount, int faultStep)
    {
        string lr = settings.LearningRate.ToString(CultureInfo.InvariantCulture);
        var tags = new Dictionary<string, string>
        {
            ["model"] = Describe(settings.Fault),
            ["dataset"] = "digits (UCI Optical Recognition of Handwritten Digits, 8x8)",
            ["train images"] = trainCount.ToString(CultureInfo.InvariantCulture),
            ["held-out images"] = heldOutCount.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = settings.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch size"] = settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = "Adam",
            ["learning rate"] = lr,
        };
        if (settings.Fault != DemoFault.None)
        {
            tags["planted fault"] = $"{Name(settings.Fault)} at step {faultStep.ToString(CultureInfo.InvariantCulture)}";
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
