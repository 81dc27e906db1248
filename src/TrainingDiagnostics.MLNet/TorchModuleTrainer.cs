using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// An ML.NET trainer for any TorchSharp module: <see cref="Fit"/> trains it with mini-batches under a
/// <see cref="TrainingMonitor"/> (per-layer gradient norms at every step, NaN/Inf located and skipped, a run log), calls the
/// <see cref="TorchModuleTrainerOptions.Observers"/>, evaluates the validation set after each epoch, and returns a
/// <see cref="TorchModuleTransformer"/> that scores with ML.NET's usual columns for the task. Created by
/// <see cref="DiagnosticsCatalog.TorchModule"/>.
/// </summary>
/// <remarks>
/// Cost of a fit: the rows are read once into memory; each step is a forward and backward pass plus the monitor's
/// per-step reading (about one device-to-host transfer of a few numbers per parameter tensor). The columns are checked
/// at the start of <see cref="Fit"/> (a direct fit does not call <see cref="GetOutputSchema"/>).
/// </remarks>
public sealed class TorchModuleTrainer : IEstimator<TorchModuleTransformer>
{
    private readonly MLContext _context;

    internal TorchModuleTrainer(MLContext context, TorchModuleTrainerOptions options)
    {
        _context = context;
        Options = options;
        if (options.ModelFactory is null)
        {
            throw new ArgumentException("TorchModuleTrainerOptions.ModelFactory is required: a function that builds a fresh module, for example () => nn.Sequential(...).", nameof(options));
        }

        if (options.Epochs < 1 || options.BatchSize < 1 || !(options.LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"Epochs ({options.Epochs}) and BatchSize ({options.BatchSize}) must be at least 1 and LearningRate ({options.LearningRate}) positive.");
        }

        TorchModuleTrainerOptions.CheckScoringBatchSize(options.ScoringBatchSize, nameof(options));
    }

    /// <summary>The settings this trainer fits with.</summary>
    public TorchModuleTrainerOptions Options { get; }

    /// <summary>
    /// Trains a fresh module on <paramref name="input"/>. The feature column must be a vector of Single of known size and the
    /// label column of the task's type; otherwise an <see cref="ArgumentException"/> names the column, the expected type and
    /// the actual one. Rows with a missing label (key 0, NaN) are left out. Non-finite features are not dropped: the monitor
    /// finds them (an incident of kind NonFiniteInput, phase Forward, module "input") and skips those steps.
    /// </summary>
    /// <param name="input">The training rows.</param>
    /// <returns>The trained module as a transformer, with the <see cref="TorchModuleTransformer.Run"/> of its training.</returns>
    public TorchModuleTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        int featureSize = ColumnChecks.KnownSizeSingleVector(input.Schema, o.FeatureColumnName, ColumnRequirement.Features);
        ColumnChecks.Require(input.Schema, o.LabelColumnName, ColumnRequirement.Label(o.Task));
        int outputs = o.Task == TorchModuleTask.MulticlassClassification ? (int)((KeyDataViewType)input.Schema[o.LabelColumnName].Type).Count : 1;
        TensorRows? validation = null;
        if (o.ValidationSet is { } validationSet)
        {
            ColumnChecks.KnownSizeSingleVector(validationSet.Schema, o.FeatureColumnName, ColumnRequirement.ValidationFeatures);
            ColumnChecks.Require(validationSet.Schema, o.LabelColumnName, ColumnRequirement.Label(o.Task));
            validation = TensorRows.Read(validationSet, o.FeatureColumnName, featureSize, o.LabelColumnName, o.Task);
        }

        TensorRows rows = TensorRows.Read(input, o.FeatureColumnName, featureSize, o.LabelColumnName, o.Task);
        if (rows.Count == 0)
        {
            throw new InvalidOperationException($"No training rows: every row of '{o.LabelColumnName}' is missing ({rows.MissingLabels} rows read).");
        }

        Device device = o.Device ?? DefaultDevice(_context);
        if (o.Seed is int seed)
        {
            torch.manual_seed(seed);
        }

        var module = o.ModelFactory!() ?? throw new InvalidOperationException("TorchModuleTrainerOptions.ModelFactory returned null.");
        module.to(device);
        CheckOutputShape(module, featureSize, outputs, device);
        var (run, _) = Train(module, rows, validation, device);
        var labelColumn = input.Schema[o.LabelColumnName];
        return new TorchModuleTransformer(_context, module, o.Task, o.FeatureColumnName, featureSize, outputs,
            o.Task == TorchModuleTask.MulticlassClassification ? KeyNames.Of(labelColumn) : null,
            o.Task == TorchModuleTask.MulticlassClassification ? labelColumn.Annotations : null,
            run, device)
        {
            ScoringBatchSize = o.ScoringBatchSize,
        };
    }

    /// <summary>The columns <see cref="TorchModuleTransformer"/> adds for the task (Score, and Probability and PredictedLabel for classification), after checking the input columns as <see cref="Fit"/> does.</summary>
    /// <param name="inputSchema">The shape of the training data.</param>
    /// <returns>The shape of the scored data.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = Options;
        ColumnChecks.Require(inputSchema, o.FeatureColumnName, ColumnRequirement.Features);
        ColumnChecks.Require(inputSchema, o.LabelColumnName, ColumnRequirement.Label(o.Task));

        // SchemaShape.Column has no public constructor: the shape of ML.NET's usual scored columns for the task is taken from
        // one of ML.NET's own trainers for that task (nothing is fitted).
        return o.Task switch
        {
            TorchModuleTask.BinaryClassification => _context.BinaryClassification.Trainers.SdcaLogisticRegression(o.LabelColumnName, o.FeatureColumnName).GetOutputSchema(inputSchema),
            TorchModuleTask.MulticlassClassification => _context.MulticlassClassification.Trainers.SdcaMaximumEntropy(o.LabelColumnName, o.FeatureColumnName).GetOutputSchema(inputSchema),
            _ => _context.Regression.Trainers.Sdca(o.LabelColumnName, featureColumnName: o.FeatureColumnName).GetOutputSchema(inputSchema),
        };
    }

    internal static Device DefaultDevice(MLContext context)
    {
        if (context.GpuDeviceId is not int id)
        {
            return CPU;
        }

        if (cuda.is_available())
        {
            return new Device(DeviceType.CUDA, id);
        }

        return context.FallbackToCpu
            ? CPU
            : throw new InvalidOperationException(
                $"MLContext.GpuDeviceId is {id} but CUDA is not available to TorchSharp (is a CUDA libtorch package referenced?). " +
                "Set MLContext.FallbackToCpu = true to train on the CPU, or set TorchModuleTrainerOptions.Device.");
    }

    private static void CheckOutputShape(nn.Module<Tensor, Tensor> module, int featureSize, int outputs, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor output;
        try
        {
            output = module.call(zeros(2, featureSize, device: device));
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            throw new ArgumentException($"The module failed on a [2, {featureSize}] batch of features ({ex.Message}): its input layer must take {featureSize} features.", ex);
        }

        bool ok = (output.dim() == 2 && output.shape[0] == 2 && output.shape[1] == outputs) || (outputs == 1 && output.dim() == 1 && output.shape[0] == 2);
        if (!ok)
        {
            throw new ArgumentException(
                $"The module returned shape [{string.Join(", ", output.shape)}] for a [2, {featureSize}] batch; the task needs [batch, {outputs}] " +
                $"({(outputs == 1 ? "one logit or value per row" : "one logit per class")}).");
        }
    }

    private (DiagnosticsRun Run, int Steps) Train(nn.Module<Tensor, Tensor> module, TensorRows rows, TensorRows? validation, Device device)
    {
        var o = Options;
        using var optimizer = CreateOptimizer(module, o);
        int stepsPerEpoch = (rows.Count + o.BatchSize - 1) / o.BatchSize;
        int totalSteps = stepsPerEpoch * o.Epochs;
        var baseOptions = o.Monitor ?? new MonitorOptions { PublishMetrics = false };
        var monitorOptions = baseOptions with
        {
            Optimizer = optimizer,
            RunLogPath = o.RunLogPath ?? baseOptions.RunLogPath,
            MaxStepsInMemory = Math.Max(baseOptions.MaxStepsInMemory, totalSteps + 1),
            Seed = baseOptions.Seed ?? o.Seed,
            Tags = baseOptions.Tags.Count > 0 ? baseOptions.Tags : Tags(o, rows),
        };

        using Tensor x = tensor(rows.Features, [rows.Count, rows.FeatureSize]).to(device);
        using Tensor y = (o.Task == TorchModuleTask.MulticlassClassification ? tensor(rows.Classes) : tensor(rows.Targets)).to(device);
        var random = o.Seed is int seed ? new Random(seed) : new Random();
        int[] order = Enumerable.Range(0, rows.Count).ToArray();
        DiagnosticsRun run;
        long step = 0;
        double factor = 1; // the schedule's factor applied so far
        using (var monitor = new TrainingMonitor(module, monitorOptions))
        {
            for (int epoch = 0; epoch < o.Epochs; epoch++)
            {
                foreach (var observer in o.Observers)
                {
                    observer.OnEpochStart(epoch);
                }

                module.train();
                random.Shuffle(order);
                double lossSum = 0;
                int batches = 0, skipped = 0;
                for (int start = 0; start < order.Length; start += o.BatchSize, step++, batches++)
                {
                    StepResult result;
                    using (var scope = NewDisposeScope())
                    {
                        long[] batch = new long[Math.Min(o.BatchSize, order.Length - start)];
                        for (int i = 0; i < batch.Length; i++)
                        {
                            batch[i] = order[start + i];
                        }

                        if (o.LearningRateSchedule is { } schedule)
                        {
                            ApplySchedule(optimizer, schedule, step, ref factor);
                        }

                        Tensor index = tensor(batch, device: device);
                        Tensor bx = x.index_select(0, index), by = y.index_select(0, index);
                        result = monitor.Step(step, () => Loss(module.call(bx), by, o.Task));
                        if (result.ShouldStep)
                        {
                            optimizer.step();
                        }
                        else
                        {
                            skipped++;
                        }
                    }

                    lossSum += result.Loss;
                    foreach (var observer in o.Observers)
                    {
                        observer.OnStepEnd(result);
                    }
                }

                var values = new Dictionary<string, double>();
                if (validation is { Count: > 0 })
                {
                    foreach (var (name, value) in Evaluate(module, validation, o.Task, device))
                    {
                        values[name] = value;
                        monitor.RecordMetric(step - 1, name, value);
                    }
                }

                var metrics = new EpochMetrics { Epoch = epoch, LastStep = step - 1, MeanLoss = lossSum / batches, SkippedSteps = skipped, Values = values };
                foreach (var observer in o.Observers)
                {
                    observer.OnEpochEnd(metrics);
                }
            }

            run = monitor.Run;
        }

        module.eval();
        var (profiles, fits) = PipelineRecords.Of(_context).Snapshot();
        if (rows.NonFiniteRows > 0)
        {
            profiles = [.. profiles, NonFiniteInputProfile(rows)];
        }

        run = run with { DataProfiles = [.. run.DataProfiles, .. profiles], ObservedFits = fits }; // the monitor's input profile first, as in the log
        if (monitorOptions.RunLogPath is { } path && (profiles.Length > 0 || fits.Length > 0))
        {
            using var log = RunLogWriter.Append(path);
            foreach (var profile in profiles)
            {
                log.Write(profile);
            }

            foreach (var fit in fits)
            {
                log.Write(fit);
            }
        }

        return (run, (int)step);
    }

    /// <summary>Names the data behind the monitor's NonFiniteInput incidents: the column and how many training rows hold NaN or infinity.</summary>
    private DataProfileRecord NonFiniteInputProfile(TensorRows rows) => new()
    {
        Name = $"trainer input '{Options.FeatureColumnName}'",
        RowCount = rows.Count,
        Findings =
        [
            new DataFinding
            {
                Rule = "data-nonfinite-trainer-input",
                Severity = AnomalySeverity.Critical,
                Column = Options.FeatureColumnName,
                Title = string.Create(CultureInfo.InvariantCulture,
                    $"{rows.NonFiniteRows} training row(s) reached the trainer with NaN or infinite values in '{Options.FeatureColumnName}'"),
                Detail = "Every batch holding one of them had a NaN loss; the monitor skipped those steps (NonFiniteInput incidents, module \"input\"). " +
                    "Flag them with mlContext.Diagnostics().FlagNonFinite and drop them with mlContext.Data.FilterByCustomPredicate<NonFiniteOutput>(data, row => row.HasNonFinite), " +
                    "or replace the values with mlContext.Transforms.ReplaceMissingValues.",
            },
        ],
    };

    private static Tensor Loss(Tensor output, Tensor target, TorchModuleTask task) => task switch
    {
        TorchModuleTask.BinaryClassification => nn.functional.binary_cross_entropy_with_logits(output.reshape(-1), target),
        TorchModuleTask.MulticlassClassification => nn.functional.cross_entropy(output, target),
        _ => nn.functional.mse_loss(output.reshape(-1), target),
    };

    private static IEnumerable<(string Name, double Value)> Evaluate(nn.Module<Tensor, Tensor> module, TensorRows rows, TorchModuleTask task, Device device)
    {
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor x = tensor(rows.Features, [rows.Count, rows.FeatureSize]).to(device);
        Tensor y = (task == TorchModuleTask.MulticlassClassification ? tensor(rows.Classes) : tensor(rows.Targets)).to(device);
        Tensor output = module.call(x);
        double loss = Loss(output, y, task).cpu().item<float>();
        var result = new List<(string, double)> { ("validation/loss", loss) };
        if (task == TorchModuleTask.MulticlassClassification)
        {
            result.Add(("validation/accuracy", output.argmax(1).eq(y).to_type(ScalarType.Float64).mean().cpu().item<double>()));
        }
        else if (task == TorchModuleTask.BinaryClassification)
        {
            result.Add(("validation/accuracy", output.reshape(-1).gt(0).to_type(ScalarType.Float32).eq(y).to_type(ScalarType.Float64).mean().cpu().item<double>()));
        }

        return result;
    }

    /// <summary>Applies the schedule's change of factor since the last step to every group (keeps changes made by others, such as the Heal policy).</summary>
    private static void ApplySchedule(optim.Optimizer optimizer, Func<long, double> schedule, long step, ref double factor)
    {
        double next = schedule(step);
        if (!(next > 0) || !double.IsFinite(next))
        {
            throw new InvalidOperationException(
                $"TorchModuleTrainerOptions.LearningRateSchedule returned {next} at step {step}; it must return a positive, finite factor of LearningRate.");
        }

        if (next != factor)
        {
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate *= next / factor;
            }

            factor = next;
        }
    }

    private static optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> module, TorchModuleTrainerOptions o)
    {
        var trained = module.named_parameters()
            .Where(p => !o.FrozenParameters.Any(prefix => p.name.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(p => p.parameter)
            .ToList();
        if (trained.Count == 0)
        {
            throw new InvalidOperationException(
                $"TorchModuleTrainerOptions.FrozenParameters ({string.Join(", ", o.FrozenParameters)}) leaves no parameter of the module to train; " +
                $"its parameters are: {string.Join(", ", module.named_parameters().Select(p => p.name))}.");
        }

        return o.Optimizer switch
        {
            TorchModuleOptimizer.Adam => optim.Adam(trained, lr: o.LearningRate),
            TorchModuleOptimizer.AdamW => optim.AdamW(trained, lr: o.LearningRate),
            TorchModuleOptimizer.Sgd => optim.SGD(trained, o.LearningRate),
            TorchModuleOptimizer.SgdMomentum => optim.SGD(trained, o.LearningRate, momentum: 0.9),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Optimizer, "Unknown optimizer."),
        };
    }

    private static Dictionary<string, string> Tags(TorchModuleTrainerOptions o, TensorRows rows) => new()
    {
        ["trainer"] = "TrainingDiagnostics.MLNet TorchModule",
        ["task"] = o.Task.ToString(),
        ["features"] = $"{o.FeatureColumnName} ({rows.FeatureSize.ToString(CultureInfo.InvariantCulture)})",
        ["label"] = o.LabelColumnName,
        ["rows"] = rows.Count.ToString(CultureInfo.InvariantCulture),
        ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["optimizer"] = o.Optimizer.ToString(),
        ["learning rate"] = o.LearningRate.ToString(CultureInfo.InvariantCulture),
    };
}
