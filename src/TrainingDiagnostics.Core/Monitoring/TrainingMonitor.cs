using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TrainingDiagnostics.Anomalies;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Recording;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Watches every training step of a TorchSharp model: loss, per-layer gradient and weight norms, update-to-weight ratios,
/// NaN/Inf, exploding and vanishing gradients, BatchNorm health. When a step goes wrong it replays the step to name the
/// first module and operation that produced the anomaly (forward or backward), suggests a fix, and applies a policy.
/// </summary>
/// <remarks>
/// <para>Use it in place of <c>loss.backward()</c>:</para>
/// <code>
/// using var monitor = new TrainingMonitor(model, new MonitorOptions { RunLogPath = "run.jsonl", Optimizer = optimizer });
/// for (long step = 0; ...; step++)
/// {
///     using var scope = torch.NewDisposeScope();
///     var result = monitor.Step(step, () => loss_fn(model.call(x), y));
///     if (result.ShouldStep) optimizer.step();
/// }
/// </code>
/// <para>Cost of a healthy step: the forward and backward passes, one device-to-host transfer of a few numbers per
/// parameter tensor, and a copy of the random state and module buffers (BatchNorm statistics). A replay runs only when a
/// check trips. Diagnostics never change training: the replay puts back gradients, buffers and the random state exactly
/// as the normal step left them. Tensors created by the loss closure belong to the caller's dispose scope.</para>
/// <para>Hooks observe modules called through <c>call()</c> whose <c>forward</c> takes and returns one tensor (all the
/// built-in layers and <c>Sequential</c>); a custom module that calls a child's <c>forward</c> directly hides that child.</para>
/// </remarks>
public sealed class TrainingMonitor : IDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the monitor publishes (training.loss, training.gradient_norm, training.steps, training.anomalies).</summary>
    public const string MeterName = "TrainingDiagnostics.Training";

    private readonly MonitorOptions _options;
    private readonly ModuleTree _tree;
    private readonly StepStatisticsReader _reader;
    private readonly GradientHealthDetector _detector;
    private readonly AnomalyLocator _locator;
    private readonly BatchNormWatch _batchNorm;
    private readonly RunHistory _history;
    private readonly RunMetadata _metadata;
    private readonly RunLogWriter? _log;
    private readonly MonitorMetrics? _metrics;
    private readonly TensorBoardExporter? _tensorBoard;
    private StepSnapshot? _lastHealthy;
    private bool _runningStatisticsPoisoned;
    private bool _disposed;

    /// <summary>Starts monitoring <paramref name="model"/>.</summary>
    /// <param name="model">The model whose steps will be watched; its parameters, buffers and modules are read, never changed.</param>
    /// <param name="options">Settings; null for the defaults (SkipStep policy, economy tier, no run log).</param>
    public TrainingMonitor(nn.Module model, MonitorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? new MonitorOptions();
        if (_options.WindowSize < 3)
            throw new ArgumentOutOfRangeException(nameof(options), _options.WindowSize, "MonitorOptions.WindowSize must be at least 3 steps.");
        Model = model;
        _tree = new ModuleTree(model);
        _reader = new StepStatisticsReader(_tree);
        _detector = new GradientHealthDetector(_options);
        _locator = new AnomalyLocator(_tree);
        _batchNorm = new BatchNormWatch(_tree);
        _history = new RunHistory(_options.MaxStepsInMemory);
        _metadata = new RunMetadata
        {
            RunName = _options.RunName,
            ModelDescription = DescribeModel(model),
            ParameterCount = _tree.Parameters.Sum(p => p.Tensor.numel()),
            Device = _tree.Parameters.FirstOrDefault()?.Tensor.device.ToString() ?? "cpu",
            Seed = _options.Seed,
            StartedAt = DateTimeOffset.UtcNow,
            TorchSharpVersion = typeof(torch).Assembly.GetName().Version?.ToString(),
            LibraryVersion = typeof(TrainingMonitor).Assembly.GetName().Version?.ToString(),
            Tags = _options.Tags,
            Rank = _options.Rank,
            WorldSize = _options.WorldSize,
        };
        if (_options.RunLogPath is { } path)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
                Directory.CreateDirectory(folder);
            _log = new RunLogWriter(path, _metadata);
        }
        if (_options.PublishMetrics)
            _metrics = new MonitorMetrics(MeterName, _options.RunName);
        if (_options.TensorBoardDirectory is { } tb)
            _tensorBoard = new TensorBoardExporter(tb);
    }

    /// <summary>The monitored model.</summary>
    public nn.Module Model { get; }

    /// <summary>The settings in force.</summary>
    public MonitorOptions Options => _options;

    /// <summary>
    /// Everything recorded so far: metadata, step records (thinned beyond <see cref="MonitorOptions.MaxStepsInMemory"/>,
    /// every anomaly step kept; the run log holds every step) and anomaly events.
    /// </summary>
    public DiagnosticsRun Run => new()
    {
        Metadata = _metadata,
        Steps = _history.Steps.ToArray(),
        Anomalies = _history.Anomalies.ToArray(),
        Metrics = _history.Metrics.ToArray(),
    };

    /// <summary>
    /// Runs one monitored step: <paramref name="loss"/> (the forward pass), checks it, runs backward, reads the per-layer
    /// statistics in one transfer, detects anomalies and, when one is found, replays the step to localize it and applies the
    /// policy. Afterwards the gradients are in the parameters' <c>.grad</c>; step the optimizer when
    /// <see cref="StepResult.ShouldStep"/> is true.
    /// </summary>
    /// <param name="step">The step number (recorded; drives the schedules).</param>
    /// <param name="loss">Computes the loss of one batch with the model (a scalar tensor that requires grad). It may be
    /// called a second time for a replay, with the random state of the first call.</param>
    /// <returns>The loss, whether to step, and the anomalies found.</returns>
    /// <exception cref="ArgumentException">The closure's result is not a scalar, or does not depend on any parameter.</exception>
    /// <exception cref="TrainingAnomalyException">An anomaly occurred under <see cref="AnomalyPolicy.Throw"/>.</exception>
    public StepResult Step(long step, Func<Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        bool rollback = _options.Policy == AnomalyPolicy.Rollback;
        var before = StepSnapshot.Capture(_tree, parameters: rollback, optimizer: rollback ? _options.Optimizer : null);
        bool keepSnapshot = false;
        try
        {
            if (_options.ZeroGradients)
                foreach (var p in _tree.Parameters)
                    p.Tensor.grad = null;
            _batchNorm.CheckVariance = _options.ActivationStatisticsSchedule.IsDue(step);

            Tensor lossTensor;
            using (enable_grad())
                lossTensor = loss() ?? throw new ArgumentException("The loss closure returned null; it must return the scalar loss tensor.", nameof(loss));
            if (lossTensor.numel() != 1)
                throw new ArgumentException(
                    $"The loss closure returned a tensor of shape [{string.Join(", ", lossTensor.shape)}]; the monitor needs the scalar loss " +
                    "(reduce it, for example with .mean()).", nameof(loss));
            if (!lossTensor.requires_grad)
                throw new ArgumentException(
                    "The loss does not require grad: no parameter of the model contributes to it (was it computed under no_grad, or from detached tensors?).",
                    nameof(loss));

            ExternalException? backwardError = null;
            try
            {
                lossTensor.backward();
            }
            catch (ExternalException e)
            {
                backwardError = e; // for example anomaly mode switched on by the caller: localized below like any NaN
            }

            var stats = _reader.Read(lossTensor, weightNorms: _options.WeightNormSchedule.IsDue(step));
            var anomalies = Detect(step, loss, before, stats, backwardError);
            bool actionable = anomalies.Any(IsActionable);
            bool shouldStep = !actionable || _options.Policy is AnomalyPolicy.Record or AnomalyPolicy.Warn;
            string? action = anomalies.Count == 0 ? null : actionable ? _options.Policy.ToString() : AnomalyPolicy.Record.ToString();
            if (actionable)
                Apply(anomalies, before);
            anomalies = anomalies.Select(a => a with { Action = action }).ToList();

            if (!actionable && rollback)
            {
                _lastHealthy?.Dispose();
                _lastHealthy = before;
                keepSnapshot = true;
            }
            if (_options.UpdateRatioSchedule.IsDue(step) && shouldStep)
                _reader.RememberWeights();

            var record = Record(step, stats, shouldStep, clock.Elapsed.TotalMilliseconds, anomalies);
            var result = new StepResult(stats.Loss, shouldStep, anomalies) { GradientNorm = stats.TotalGradientNorm, Record = record };
            if (actionable && _options.Policy == AnomalyPolicy.Throw)
                throw new TrainingAnomalyException(anomalies.First(IsActionable));
            return result;
        }
        finally
        {
            if (!keepSnapshot)
                before.Dispose();
        }
    }

    /// <summary>
    /// Records a metric the caller measured (a validation loss, an accuracy) at a step, beside the monitor's own records:
    /// into <see cref="Run"/>, the run log, TensorBoard and the meter's tags.
    /// </summary>
    /// <param name="step">The training step the value belongs to.</param>
    /// <param name="name">The metric's name, for example <c>"validation/accuracy"</c>.</param>
    /// <param name="value">The value.</param>
    public void RecordMetric(long step, string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var metric = new MetricRecord { Step = step, Name = name, Value = value };
        _history.Add(metric);
        _log?.Write(metric);
        _tensorBoard?.Write(metric);
    }

    private List<AnomalyEvent> Detect(long step, Func<Tensor> loss, StepSnapshot before, StepStatistics stats, ExternalException? backwardError)
    {
        var anomalies = new List<AnomalyEvent>();
        foreach (var issue in _batchNorm.Take())
            anomalies.Add(BatchNormEvent(step, issue.Path, issue.Type, issue.Message));

        var parameters = _tree.Parameters;
        int badWeight = stats.WeightNorms is { } w ? Array.FindIndex(w, v => !double.IsFinite(v)) : -1;
        bool badGradient = stats.GradientNorms.Any(n => n is { } v && !double.IsFinite(v));
        bool badLoss = !double.IsFinite(stats.Loss);

        if (badWeight < 0 && (badLoss || badGradient) && stats.WeightNorms is null)
        {
            // Weight norms were not scheduled this step: check the parameters now, since one of them may be the cause.
            badWeight = parameters.FindIndex(p => !TensorStatisticsReader.IsFinite(p.Tensor));
        }

        if (badWeight >= 0)
        {
            var p = parameters[badWeight];
            var tensorStats = TensorStatisticsReader.Read(p.Tensor, p.Name);
            string type = _tree.TypeNameAt(p.OwnerPath);
            anomalies.Add(new AnomalyEvent
            {
                Kind = AnomalyKind.NonFiniteParameter,
                Step = step,
                Phase = AnomalyPhase.Update,
                ModulePath = ModuleTree.ReportPath(p.OwnerPath),
                Operation = type,
                NaNCount = tensorStats.NaNCount,
                InfCount = tensorStats.InfCount,
                Tensor = tensorStats,
                Message = $"The parameter '{p.Name}' of {type} '{p.OwnerPath}' holds {tensorStats.NaNCount} NaN and {tensorStats.InfCount} Inf value(s) before this step's forward pass: an earlier update (or a direct write) made it non-finite.",
                Suggestion = Suggestions.For(AnomalyKind.NonFiniteParameter, type),
                Localization = "parameter norms read at this step",
            });
        }
        else if (badLoss || badGradient || backwardError is not null)
        {
            AnomalyEvent? located = _options.Localize ? _locator.Replay(loss, before, ReplayTarget.NonFinite, step) : null;
            anomalies.Add(located ?? Unlocated(step, stats, backwardError));
        }

        bool runningBad = stats.RunningStatisticSums.Any(s => !double.IsFinite(s));
        bool newlyPoisoned = runningBad && !_runningStatisticsPoisoned;
        _runningStatisticsPoisoned = runningBad;
        if (newlyPoisoned)
        {
            var bn = _tree.Buffers.FirstOrDefault(b => b.Name.EndsWith("running_var", StringComparison.Ordinal) && !TensorStatisticsReader.IsFinite(b.Buffer));
            bn = bn.Name is null ? _tree.Buffers.First(b => !TensorStatisticsReader.IsFinite(b.Buffer)) : bn;
            string path = ModuleTree.OwnerPath(bn.Name);
            var poisoned = TensorStatisticsReader.Read(bn.Buffer, bn.Name);
            int seen = anomalies.FindIndex(a => a.Kind == AnomalyKind.BatchNormDegenerate && a.ModulePath == ModuleTree.ReportPath(path));
            if (seen >= 0)
            {
                // The batch-of-one warning came true: the running statistics are now NaN. That makes it actionable.
                anomalies[seen] = anomalies[seen] with
                {
                    NaNCount = poisoned.NaNCount,
                    InfCount = poisoned.InfCount,
                    Tensor = poisoned,
                    Message = anomalies[seen].Message + $" After this step '{bn.Name}' holds {poisoned.NaNCount} NaN value(s).",
                };
            }
            else if (anomalies.Count == 0) // otherwise a consequence of the incident already reported
            {
                anomalies.Add(BatchNormEvent(step, path, _tree.TypeNameAt(path),
                    $"The running statistics of '{path}' are no longer finite: every evaluation through this layer will return NaN.") with
                {
                    NaNCount = poisoned.NaNCount,
                    InfCount = poisoned.InfCount,
                    Tensor = poisoned,
                });
            }
        }

        if (anomalies.Count == 0 || anomalies.All(a => a.Kind == AnomalyKind.BatchNormDegenerate && !badLoss && !badGradient))
        {
            var oversized = OversizedUpdate(step, stats);
            if (oversized is not null)
                anomalies.Add(oversized);
            foreach (var finding in _detector.Observe(step, stats.Loss, stats.TotalGradientNorm, stats.GradientNorms))
                if (oversized is null || finding.Kind != AnomalyKind.ExplodingGradient)
                    anomalies.Add(FromFinding(step, loss, before, finding, stats));
        }
        return anomalies;
    }

    /// <summary>
    /// The last update moved a weight matrix by more than <see cref="MonitorOptions.MaxUpdateRatio"/> times its own norm
    /// (healthy training moves weights by about 1e-3 of their norm per step): the learning rate is far too large for
    /// these gradients, the first sign of an explosion, often while the loss is still finite. Biases and other vectors are
    /// left out: they start at zero, where any update is large relative to them.
    /// </summary>
    private AnomalyEvent? OversizedUpdate(long step, StepStatistics stats)
    {
        if (stats.UpdateNorms is not { } updates || stats.PreviousWeightNorms is not { } previous)
            return null;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < updates.Length; i++)
        {
            if (_tree.Parameters[i].Tensor.dim() < 2 || !(previous[i] > 0))
                continue;
            double ratio = updates[i] / previous[i];
            if (ratio > _options.MaxUpdateRatio && ratio > worstRatio)
                (worst, worstRatio) = (i, ratio);
        }
        if (worst < 0)
            return null;
        var p = _tree.Parameters[worst];
        return new AnomalyEvent
        {
            Kind = AnomalyKind.ExplodingGradient,
            Step = step,
            Phase = AnomalyPhase.Update,
            ModulePath = ModuleTree.ReportPath(p.OwnerPath),
            Operation = _tree.TypeNameAt(p.OwnerPath),
            Message = $"The last update changed '{p.Name}' by {worstRatio:G3} times its own norm (healthy training moves weights by about 1e-3 of their norm per step): the steps are far too large for these gradients.",
            Suggestion = Suggestions.For(AnomalyKind.ExplodingGradient, null),
            Localization = "update-to-weight ratio measured from the weights before and after the last optimizer step",
            Value = worstRatio,
            Threshold = _options.MaxUpdateRatio,
        };
    }

    private AnomalyEvent FromFinding(long step, Func<Tensor> loss, StepSnapshot before, HealthFinding finding, StepStatistics stats)
    {
        if (finding.Kind == AnomalyKind.VanishingGradient && finding.ParameterIndices.Count > 0)
        {
            var located = _options.Localize ? _locator.Replay(loss, before, ReplayTarget.VanishingGradient, step) : null;
            var dead = finding.ParameterIndices.Select(i => _tree.Parameters[i].Name).ToList();
            if (located is not null)
                return located with { Value = finding.Value, Threshold = finding.Threshold, Message = located.Message + $" Dead parameter tensors: {string.Join(", ", dead)}." };
            string owner = _tree.Parameters[finding.ParameterIndices[0]].OwnerPath;
            return new AnomalyEvent
            {
                Kind = AnomalyKind.VanishingGradient,
                Step = step,
                Phase = AnomalyPhase.Backward,
                ModulePath = ModuleTree.ReportPath(owner),
                Operation = _tree.TypeNameAt(owner),
                Message = finding.Message + $" Dead: {string.Join(", ", dead)}.",
                Suggestion = Suggestions.For(AnomalyKind.VanishingGradient, null),
                Localization = "gradient norms over consecutive steps",
                Value = finding.Value,
                Threshold = finding.Threshold,
            };
        }

        // The layer that carries most of the gradient is where to look first.
        int largest = -1;
        for (int i = 0; i < stats.GradientNorms.Length; i++)
            if (stats.GradientNorms[i] is { } v && (largest < 0 || v > stats.GradientNorms[largest]!.Value))
                largest = i;
        string? path = finding.Kind == AnomalyKind.DivergingLoss || largest < 0 ? null : _tree.Parameters[largest].OwnerPath;
        string where = largest < 0 ? "" : $" The largest gradient is in '{_tree.Parameters[largest].Name}' (norm {stats.GradientNorms[largest]:G4}).";
        return new AnomalyEvent
        {
            Kind = finding.Kind,
            Step = step,
            Phase = finding.Kind == AnomalyKind.DivergingLoss ? AnomalyPhase.Forward : AnomalyPhase.Backward,
            ModulePath = path is null ? null : ModuleTree.ReportPath(path),
            Operation = path is null ? null : _tree.TypeNameAt(path),
            Message = finding.Message + where,
            Suggestion = Suggestions.For(finding.Kind, null),
            Localization = $"robust statistics over the last {_options.WindowSize} steps (median and MAD)",
            Value = finding.Value,
            Threshold = finding.Threshold,
        };
    }

    private AnomalyEvent Unlocated(long step, StepStatistics stats, ExternalException? backwardError)
    {
        var bad = _tree.Parameters.Where((p, i) => stats.GradientNorms[i] is { } v && !double.IsFinite(v)).Select(p => p.Name).ToList();
        bool lossBad = !double.IsFinite(stats.Loss);
        string? node = backwardError is null ? null : AnomalyLocator.NodeName(backwardError.Message);
        var kind = lossBad ? AnomalyKind.NonFiniteLoss : AnomalyKind.NonFiniteGradient;
        return new AnomalyEvent
        {
            Kind = kind,
            Step = step,
            Phase = lossBad ? AnomalyPhase.Forward : AnomalyPhase.Backward,
            ModulePath = bad.Count > 0 ? ModuleTree.ReportPath(ModuleTree.OwnerPath(bad[0])) : null,
            Operation = node,
            Message = lossBad
                ? $"The loss is {stats.Loss}."
                : $"Non-finite gradients in: {string.Join(", ", bad)}." + (backwardError is null ? "" : $" libtorch: {backwardError.Message.Split('\n')[0]}"),
            Suggestion = Suggestions.For(kind, node),
            Localization = _options.Localize ? "the replay did not reproduce the anomaly (non-deterministic step?)" : "not localized (MonitorOptions.Localize is off)",
        };
    }

    private static AnomalyEvent BatchNormEvent(long step, string path, string type, string message) => new()
    {
        Kind = AnomalyKind.BatchNormDegenerate,
        Step = step,
        Phase = AnomalyPhase.Forward,
        ModulePath = ModuleTree.ReportPath(path),
        Operation = type,
        Message = message,
        Suggestion = Suggestions.For(AnomalyKind.BatchNormDegenerate, type),
        Localization = "forward pre-hook on the BatchNorm layer",
    };

    private static bool IsActionable(AnomalyEvent a) => AnomalyKinds.IsActionable(a);

    private void Apply(List<AnomalyEvent> anomalies, StepSnapshot before)
    {
        if (_options.Logger is { } logger)
        {
            var level = _options.Policy == AnomalyPolicy.Warn ? LogLevel.Warning : LogLevel.Information;
            foreach (var a in anomalies)
                logger.Log(level, "Step {Step}: {Kind} during {Phase} in {Module} ({Operation}): {Message} Suggestion: {Suggestion}",
                    a.Step, a.Kind, a.Phase, a.ModulePath ?? "-", a.Operation ?? "-", a.Message, a.Suggestion);
        }
        switch (_options.Policy)
        {
            case AnomalyPolicy.SkipStep:
            case AnomalyPolicy.Throw:
                // A skipped step leaves no trace: gradients zeroed, and the buffers its forward pass updated (BatchNorm
                // running statistics, which a NaN batch would poison) put back.
                ZeroGradients();
                before.RestoreBuffers();
                break;
            case AnomalyPolicy.Rollback:
                ZeroGradients();
                if (_lastHealthy is not null)
                {
                    _lastHealthy.RestoreParameters(_options.Optimizer);
                    _lastHealthy.RestoreBuffers();
                }
                _reader.ForgetWeights();
                break;
        }
    }

    private void ZeroGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in _tree.Parameters)
            p.Tensor.grad?.zero_();
    }

    private StepRecord Record(long step, StepStatistics stats, bool shouldStep, double milliseconds, List<AnomalyEvent> anomalies)
    {
        var parameters = _tree.Parameters;
        var layers = new LayerStatistics[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            double? ratio = stats.UpdateNorms is { } u && stats.PreviousWeightNorms is { } w && w[i] > 0 ? u[i] / w[i] : null;
            layers[i] = new LayerStatistics
            {
                Name = parameters[i].Name,
                GradientNorm = stats.GradientNorms[i],
                WeightNorm = stats.WeightNorms?[i],
                UpdateRatio = ratio,
            };
        }
        var record = new StepRecord
        {
            Step = step,
            Loss = stats.Loss,
            ElapsedMilliseconds = milliseconds,
            LearningRate = _options.Optimizer?.ParamGroups.FirstOrDefault()?.LearningRate,
            Layers = layers,
            GradientNorm = stats.TotalGradientNorm,
            Skipped = shouldStep ? null : true,
        };
        _history.Add(record, anomalies);
        foreach (var a in anomalies)
            _log?.Write(a);
        _log?.Write(record);
        _metrics?.Record(stats.Loss, stats.TotalGradientNorm, anomalies.Count);
        if (_tensorBoard is not null)
        {
            _tensorBoard.Write(record);
            foreach (var a in anomalies)
                _tensorBoard.Write(a);
            if (_options.HistogramSchedule.IsDue(step))
                _tensorBoard.WriteHistograms(_tree, step);
        }
        return record;
    }

    private static string DescribeModel(nn.Module model)
    {
        var children = model.named_children().Select(c => ModuleTree.TypeName(c.module)).ToList();
        return children.Count == 0 ? ModuleTree.TypeName(model) : $"{ModuleTree.TypeName(model)}({string.Join(", ", children)})";
    }

    /// <summary>Removes the monitor's hooks, closes the run log and frees the copies it holds. The model is left as it is.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _batchNorm.Dispose();
        _reader.ForgetWeights();
        _lastHealthy?.Dispose();
        _log?.Dispose();
        _metrics?.Dispose();
    }
}
