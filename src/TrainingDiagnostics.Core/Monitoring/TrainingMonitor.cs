using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TrainingDiagnostics.Anomalies;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using TrainingDiagnostics.Recording;
using TrainingDiagnostics.Replay;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// Watches every training step of a TorchSharp model: loss, per-layer gradient norms, NaN/Inf, exploding and vanishing
/// gradients, BatchNorm health, plus the optional <see cref="Instrument"/>s on their schedules (weight norms, update ratios,
/// BatchNorm variances, histograms, curvature, your own). When a step goes wrong it replays the step to name the first module and
/// operation that produced the anomaly (forward or backward), suggests a fix, and applies a policy.
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
/// parameter tensor, a copy of the CPU random state and of the module buffers (BatchNorm statistics), and a record queued
/// for the run log, which a thread of its own writes. A replay runs only when a check trips. Diagnostics never change training: the replay
/// puts back gradients, buffers and the random state exactly as the normal step left them. Tensors created by the loss
/// closure belong to the caller's dispose scope.</para>
/// <para>Hooks observe modules called through <c>call()</c> whose <c>forward</c> takes and returns one tensor (all the
/// built-in layers and <c>Sequential</c>); a custom module that calls a child's <c>forward</c> directly hides that child.</para>
/// <para>A libtorch error in <c>backward()</c> that is not a non-finite value (an in-place change to a saved tensor, a freed
/// graph) is a <see cref="BackwardPassException"/> under every policy. A NaN that the caller's own anomaly mode reports from
/// <c>backward()</c> is an anomaly like any other.</para>
/// </remarks>
public sealed class TrainingMonitor : IDisposable
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the monitor publishes: <c>training.loss</c> and
    /// <c>training.gradient_norm</c> (gauges, the last step's), <c>training.steps</c> (a counter; its rate is the step rate),
    /// <c>training.step.duration</c> (a histogram, seconds), <c>training.anomalies</c> (a counter tagged with <c>kind</c> and
    /// <c>severity</c>), <c>training.instrument_failures</c> and <c>training.heal_actions</c>; every measurement is tagged
    /// with the run's name (<c>run</c>). Observed ML.NET trainers publish on the same name.
    /// </summary>
    public const string MeterName = "TrainingDiagnostics.Training";

    /// <summary>
    /// The logger category the documentation suggests for <see cref="MonitorOptions.Logger"/>
    /// (<c>loggerFactory.CreateLogger(TrainingMonitor.LoggerCategory)</c>), the same name as the meter's.
    /// </summary>
    public const string LoggerCategory = MeterName;

    private readonly MonitorOptions _options;
    private readonly ModuleTree _tree;
    private readonly StepStatisticsReader _reader;
    private readonly DeviceReads _reads = new();
    private readonly GradientHealthDetector _detector;
    private readonly StepReplay _replay;
    private readonly BatchNormWatch _batchNorm;
    private readonly RollbackKeeper _rollback;
    private readonly List<Instrument> _instruments;
    private readonly InstrumentRunner _runner;
    private readonly Healer? _healer;
    private readonly RunRecorder _recorder;
    private bool _runningStatisticsPoisoned;
    private bool _disposed;

    /// <summary>Starts monitoring <paramref name="model"/>.</summary>
    /// <param name="model">The model whose steps will be watched; its parameters, buffers and modules are read, never changed.</param>
    /// <param name="options">Settings; null for the defaults (SkipStep policy, economy tier, no run log).</param>
    /// <exception cref="InvalidOperationException">The instruments' declared quantities admit no running order: a quantity that
    /// an instrument requires and none publishes, one that two publish, or a cycle (see <see cref="Instrument.Requires"/>).</exception>
    public TrainingMonitor(nn.Module model, MonitorOptions? options = null)
        : this(model, options, arrangeBuiltIns: null)
    {
    }

    /// <summary>Starts monitoring, with the built-in instruments listed in the order <paramref name="arrangeBuiltIns"/> gives
    /// (tests show that the order of the list changes nothing).</summary>
    internal TrainingMonitor(nn.Module model, MonitorOptions? options, Func<List<Instrument>, IEnumerable<Instrument>>? arrangeBuiltIns)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? new MonitorOptions();
        if (_options.WindowSize < 3)
            throw new ArgumentOutOfRangeException(nameof(options), _options.WindowSize, "MonitorOptions.WindowSize must be at least 3 steps.");
        if (_options.InstrumentFailureLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.InstrumentFailureLimit,
                "MonitorOptions.InstrumentFailureLimit must be at least 1 failing step (3 is the default).");
        if (_options.CurvatureMatVecBudget < 2)
            throw new ArgumentOutOfRangeException(nameof(options), _options.CurvatureMatVecBudget,
                "MonitorOptions.CurvatureMatVecBudget must be at least 2 Hessian-vector products (one for the top eigenvalue, one for the trace); 50 is the default.");
        Model = model;
        _tree = new ModuleTree(model);
        if (_options.MaxHealActions < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxHealActions, "MonitorOptions.MaxHealActions must be at least 1 (3 is the default).");
        _reader = new StepStatisticsReader(_tree);
        _detector = new GradientHealthDetector(_options);
        _replay = new StepReplay(_tree);
        if (_options.Policy == AnomalyPolicy.Heal)
            _healer = new Healer(_options.Optimizer, _options.MaxHealActions);
        _batchNorm = new BatchNormWatch(_tree);
        _rollback = new RollbackKeeper(_tree, _options.Policy, _options.Optimizer, _options.RollbackSchedule);
        _recorder = new RunRecorder(DescribeRun(model), _options.MaxStepsInMemory, _options.RunLogPath,
            _options.PublishMetrics ? MeterName : null, _options.TensorBoardDirectory, _options.Logger);
        try
        {
            var builtIns = BuiltInInstruments();
            _instruments = [.. arrangeBuiltIns?.Invoke(builtIns) ?? builtIns, .. _options.Instruments];
            _runner = new InstrumentRunner(_instruments, _options.InstrumentFailureLimit, _options.Logger, _recorder.Record); // failures are logged by the recorder
        }
        catch
        {
            // Refused instrument declarations: take the hooks off the model and close the run log before saying so.
            _batchNorm.Dispose();
            _rollback.Dispose();
            _reader.Dispose();
            _recorder.Dispose();
            throw;
        }
    }

    /// <summary>The built-in instruments with the schedules of the options; histograms when TensorBoard is on.</summary>
    private List<Instrument> BuiltInInstruments()
    {
        List<Instrument> instruments =
        [
            new WeightNormInstrument(_options.WeightNormSchedule),
            new UpdateRatioInstrument(_options.UpdateRatioSchedule, _options.MaxUpdateRatio),
            new BatchNormVarianceInstrument(_options.ActivationStatisticsSchedule, _batchNorm),
            new ActivationHealthInstrument(_options.ActivationHealthSchedule, _tree),
            new InputProfileInstrument(_options.InputProfileBatches, _tree),
            new CurvatureInstrument(_options.CurvatureSchedule, _options.CurvatureMatVecBudget, _rollback.Before, _batchNorm),
        ];
        if (_recorder.TensorBoard is { } tensorBoard)
            instruments.Add(new HistogramInstrument(_options.HistogramSchedule, tensorBoard));
        return instruments;
    }

    /// <summary>The instruments' names in the order their stages run: every producer of a quantity before the instruments
    /// that require it, otherwise the order of <see cref="Instruments"/>.</summary>
    internal IReadOnlyList<string> InstrumentOrder => _runner.Order;

    /// <summary>The monitored model.</summary>
    public nn.Module Model { get; }

    /// <summary>The settings in force.</summary>
    public MonitorOptions Options => _options;

    /// <summary>The instruments in force: the built-in ones (weight norms, update ratios, BatchNorm variances, activation health,
    /// input profile, curvature, and
    /// histograms when TensorBoard is on) with the schedules of <see cref="Options"/>, then <see cref="MonitorOptions.Instruments"/>.
    /// Their stages run in the order their declared quantities give (<see cref="Instrument.Requires"/>), not in this list's.</summary>
    public IReadOnlyList<Instrument> Instruments => _instruments;

    /// <summary>The names of the instruments that stood down after <see cref="MonitorOptions.InstrumentFailureLimit"/> failing
    /// steps in a row, in the order they did; they run no more in this run (see <see cref="Run"/>'s
    /// <see cref="DiagnosticsRun.InstrumentFailures"/> for what failed).</summary>
    public IReadOnlyList<string> StoodDownInstruments => _runner.StoodDown;

    /// <summary>How many times the monitor's BatchNorm hooks ran (for tests of hook removal).</summary>
    internal int BatchNormHookInvocations => _batchNorm.Invocations;

    /// <summary>
    /// Everything recorded so far: metadata, step records (thinned beyond <see cref="MonitorOptions.MaxStepsInMemory"/>,
    /// every anomaly step kept; the run log holds every step), anomaly events, metrics and curvature estimates.
    /// </summary>
    public DiagnosticsRun Run => _recorder.Run;

    /// <summary>
    /// Runs one monitored step: <paramref name="loss"/> (the forward pass), checks it, runs backward, reads the per-layer
    /// statistics in one transfer, runs the due instruments, detects anomalies and, when one is found, replays the step to
    /// localize it and applies the policy. Afterwards the gradients are in the parameters' <c>.grad</c>; step the optimizer
    /// when <see cref="StepResult.ShouldStep"/> is true. With <see cref="MonitorOptions.ZeroGradients"/> on, the small
    /// parameters' <c>.grad</c> tensors are reused from step to step (as after an in-place <c>zero_grad</c>): clone one to keep it.
    /// </summary>
    /// <param name="step">The step number (recorded; drives the schedules).</param>
    /// <param name="loss">Computes the loss of one batch with the model (a scalar tensor that requires grad). It may be
    /// called a second time for a replay, with the random state of the first call.</param>
    /// <returns>The loss, whether to step, and the anomalies found.</returns>
    /// <exception cref="ArgumentException">The closure's result is not a scalar, or does not depend on any parameter.</exception>
    /// <exception cref="BackwardPassException">libtorch's backward pass failed with an error that is not a non-finite value
    /// (a programming error), under every policy.</exception>
    /// <exception cref="TrainingAnomalyException">An anomaly occurred under <see cref="AnomalyPolicy.Throw"/>.</exception>
    public StepResult Step(long step, Func<Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        var context = new InstrumentContext(_tree, loss, step, _options.Optimizer, _reads, _runner.Store);
        try
        {
            Capture(step);
            var lossTensor = Forward(loss, context); // the closure's tensors belong to the caller's dispose scope
            var backwardError = Backward(step, lossTensor);
            using var scope = NewDisposeScope();
            var stats = Read(lossTensor, context);
            Measure(context);
            var anomalies = Inspect(step, loss, stats, backwardError, context);
            var (actionable, shouldStep) = Decide(anomalies);
            anomalies = Apply(anomalies, actionable, shouldStep, context);
            var record = Record(step, stats, shouldStep, clock.Elapsed.TotalMilliseconds, anomalies, context);
            if (actionable && _options.Policy == AnomalyPolicy.Throw)
                throw new TrainingAnomalyException(anomalies.First(AnomalyKinds.IsActionable));
            return new StepResult(stats.Loss, shouldStep, anomalies) { GradientNorm = stats.TotalGradientNorm, Record = record };
        }
        finally
        {
            _reads.Clear();
            _runner.End();
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
        _recorder.Record(new MetricRecord { Step = step, Name = name, Value = value });
    }

    /// <summary>Capture: what a replay or a skip needs (random state, buffers), and on the rollback schedule the state a rollback returns to.</summary>
    private void Capture(long step)
    {
        _rollback.Capture(step);
        _runner.Begin(step);
    }

    /// <summary>Forward: zero the gradients, run the due instruments' pre-forward stage, run the closure and check its result.</summary>
    private Tensor Forward(Func<Tensor> loss, InstrumentContext context)
    {
        if (_options.ZeroGradients)
            _reader.ResetGradients(); // small parameters' .grad become slices of one buffer, the others None
        _runner.BeforeForward(context);
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
        return lossTensor;
    }

    /// <summary>
    /// Backward. A NaN reported by the caller's own anomaly mode is returned to be localized like any NaN; any other libtorch
    /// error is a programming error and is rethrown under every policy.
    /// </summary>
    private static ExternalException? Backward(long step, Tensor lossTensor)
    {
        try
        {
            lossTensor.backward();
            return null;
        }
        catch (ExternalException e) when (StepReplay.NodeName(e.Message) is not null)
        {
            return e;
        }
        catch (ExternalException e)
        {
            throw new BackwardPassException(step, e);
        }
    }

    /// <summary>Read: the loss, the gradient norms, the running statistics and the due instruments' values, in one transfer.</summary>
    private StepStatistics Read(Tensor lossTensor, InstrumentContext context)
    {
        using (no_grad())
        {
            _reader.Queue(lossTensor, _reads);
            _runner.Queue(context);
        }
        _reads.Transfer();
        var stats = _reader.Take(_reads);
        context.Loss = stats.Loss;
        context.GradientNorms = stats.GradientNorms;
        context.GradientsFinite = double.IsFinite(stats.Loss) && Array.TrueForAll(stats.GradientNorms, n => n is not { } v || double.IsFinite(v));
        return stats;
    }

    /// <summary>Measure: the due instruments compute, each after the producers of the quantities it requires.</summary>
    private void Measure(InstrumentContext context) => _runner.Compute(context);

    /// <summary>
    /// Inspect: BatchNorm issues, non-finite values (localized by a replay), poisoned BatchNorm statistics, then the
    /// instruments' findings and, on a step without an incident, the statistical alarms.
    /// </summary>
    private List<AnomalyEvent> Inspect(long step, Func<Tensor> loss, StepStatistics stats, ExternalException? backwardError, InstrumentContext context)
    {
        var anomalies = new List<AnomalyEvent>();
        BatchNormIssues(step, anomalies);
        bool nonFinite = NonFiniteValues(step, loss, stats, backwardError, context, anomalies);
        PoisonedRunningStatistics(step, stats, anomalies);
        Alarms(step, loss, stats, nonFinite, context, anomalies);
        return anomalies;
    }

    /// <summary>What the BatchNorm hooks saw in this step's forward pass (a batch of one, near-zero channel variances).</summary>
    private void BatchNormIssues(long step, List<AnomalyEvent> anomalies)
    {
        foreach (var issue in _batchNorm.Take())
            anomalies.Add(AnomalyEvents.BatchNorm(step, issue.Path, issue.Type, issue.Message, "forward pre-hook on the BatchNorm layer"));
    }

    /// <summary>
    /// Non-finite values: a non-finite parameter (an earlier update made it so) is the incident; otherwise a non-finite loss
    /// or gradient is localized by a replay. Returns whether the loss or a gradient was non-finite.
    /// </summary>
    private bool NonFiniteValues(long step, Func<Tensor> loss, StepStatistics stats, ExternalException? backwardError, InstrumentContext context,
        List<AnomalyEvent> anomalies)
    {
        bool nonFinite = !context.GradientsFinite || backwardError is not null;
        int badWeight = NonFiniteParameter(nonFinite);
        if (badWeight >= 0)
        {
            var p = _tree.Parameters[badWeight];
            anomalies.Add(AnomalyEvents.NonFiniteParameter(step, p.Name, p.OwnerPath, _tree.TypeNameAt(p.OwnerPath),
                TensorStatisticsReader.Read(p.Tensor, p.Name), "parameter norms read at this step, before the forward pass could be blamed"));
        }
        else if (nonFinite)
        {
            anomalies.Add(Localize(loss, ReplayTarget.NonFinite, step) ?? Unlocated(step, stats, backwardError));
        }
        return nonFinite;
    }

    /// <summary>
    /// The index of the first non-finite parameter, or -1: from the weight norms when they were measured at this step; when
    /// they were not and the loss or a gradient is non-finite, from the parameters themselves (read now).
    /// </summary>
    private int NonFiniteParameter(bool nonFinite)
    {
        if (_runner.Store.TryGet(Quantities.WeightNorms, out var norms))
        {
            for (int i = 0; i < norms.Count; i++)
                if (!double.IsFinite(norms[i]))
                    return i;
            return -1;
        }
        return nonFinite ? _tree.Parameters.FindIndex(p => !TensorStatisticsReader.IsFinite(p.Tensor)) : -1;
    }

    /// <summary>
    /// Alarms. On a step without an incident (nothing but BatchNorm warnings that carry no non-finite value): the
    /// instruments' anomalies, then the detector's statistical alarms, less its exploding-gradient alarm when an instrument
    /// already reported one (the update ratios saw the same explosion, and name it better). On a step with an incident:
    /// the instruments' anomalies less their exploding-gradient alarms, echoes of the incident.
    /// </summary>
    private void Alarms(long step, Func<Tensor> loss, StepStatistics stats, bool nonFinite, InstrumentContext context, List<AnomalyEvent> anomalies)
    {
        bool incident = nonFinite || !anomalies.TrueForAll(a => a.Kind == AnomalyKind.BatchNormDegenerate && !AnomalyKinds.CarriesNonFinite(a));
        bool instrumentExploding = false;
        var reported = context.Anomalies;
        for (int i = 0; i < reported.Count; i++)
        {
            var anomaly = reported[i];
            bool exploding = anomaly.Kind == AnomalyKind.ExplodingGradient;
            instrumentExploding |= exploding;
            if (!incident || !exploding)
                anomalies.Add(anomaly);
        }
        if (incident)
            return;
        foreach (var finding in _detector.Observe(step, stats.Loss, stats.TotalGradientNorm, stats.GradientNorms))
            if (!instrumentExploding || finding.Kind != AnomalyKind.ExplodingGradient)
                anomalies.Add(FromFinding(step, loss, finding, stats));
    }

    /// <summary>Decide: whether the policy acts, and whether the optimizer should step.</summary>
    private (bool Actionable, bool ShouldStep) Decide(List<AnomalyEvent> anomalies)
    {
        bool actionable = anomalies.Exists(AnomalyKinds.IsActionable);
        return (actionable, !actionable || _options.Policy is AnomalyPolicy.Record or AnomalyPolicy.Warn);
    }

    /// <summary>Apply: act on the policy (skip, roll back, heal), tell the instruments; every event records the action taken.</summary>
    private List<AnomalyEvent> Apply(List<AnomalyEvent> anomalies, bool actionable, bool shouldStep, InstrumentContext context)
    {
        bool rolledBack = actionable && _rollback.Undo(_options.Policy);
        _rollback.Settle(healthy: !actionable);
        Heal(anomalies, actionable, context);

        context.WillStep = shouldStep;
        context.RolledBack = rolledBack;
        _runner.AfterDecision(context);

        if (anomalies.Count == 0)
            return anomalies;
        string action = actionable ? _options.Policy.ToString() : AnomalyPolicy.Record.ToString();
        return anomalies.ConvertAll(a => a with { Action = action });
    }

    /// <summary>Record: the step record (per-layer norms and ratios), its anomalies and the instruments' metrics, to every sink.</summary>
    private StepRecord Record(long step, StepStatistics stats, bool shouldStep, double milliseconds, List<AnomalyEvent> anomalies, InstrumentContext context)
    {
        var parameters = _tree.Parameters;
        var layers = new LayerStatistics[parameters.Count];
        var weightNorms = _runner.Store.TryGet(Quantities.WeightNorms, out var w) ? w : null;
        var updateRatios = _runner.Store.TryGet(Quantities.UpdateRatios, out var u) ? u : null;
        for (int i = 0; i < parameters.Count; i++)
        {
            layers[i] = new LayerStatistics
            {
                Name = parameters[i].Name,
                GradientNorm = stats.GradientNorms[i],
                WeightNorm = weightNorms?[i],
                UpdateRatio = updateRatios?[i],
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
        _recorder.Record(record, anomalies);
        foreach (var metric in context.Metrics)
            _recorder.Record(metric);
        foreach (var curvature in context.Curvature)
            _recorder.Record(curvature);
        foreach (var profile in context.DataProfiles)
            _recorder.Record(profile);
        return record;
    }

    private AnomalyEvent? Localize(Func<Tensor> loss, ReplayTarget target, long step)
    {
        if (!_options.Localize)
            return null;
        _batchNorm.Suspended = true;
        try
        {
            return _replay.Replay(loss, _rollback.Before, target, step);
        }
        finally
        {
            _batchNorm.Suspended = false;
        }
    }

    /// <summary>BatchNorm running statistics that turned non-finite in this step: every later evaluation will return NaN.</summary>
    private void PoisonedRunningStatistics(long step, StepStatistics stats, List<AnomalyEvent> anomalies)
    {
        bool runningBad = !stats.RunningStatisticsFinite;
        bool newlyPoisoned = runningBad && !_runningStatisticsPoisoned;
        _runningStatisticsPoisoned = runningBad;
        if (!newlyPoisoned)
            return;
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
            anomalies.Add(AnomalyEvents.BatchNorm(step, path, _tree.TypeNameAt(path),
                $"The running statistics of '{path}' are no longer finite: every evaluation through this layer will return NaN.",
                "running statistics read at this step", poisoned));
        }
    }

    private AnomalyEvent FromFinding(long step, Func<Tensor> loss, HealthFinding finding, StepStatistics stats)
    {
        if (finding.Kind == AnomalyKind.VanishingGradient && finding.ParameterIndices.Count > 0)
        {
            var dead = string.Join(", ", finding.ParameterIndices.Select(i => _tree.Parameters[i].Name));
            var located = Localize(loss, ReplayTarget.VanishingGradient, step);
            if (located is not null)
                return located with { Value = finding.Value, Threshold = finding.Threshold, Message = located.Message + $" Dead parameter tensors: {dead}." };
            string owner = _tree.Parameters[finding.ParameterIndices[0]].OwnerPath;
            return AnomalyEvents.VanishingGradient(step, owner, _tree.TypeNameAt(owner), finding.Message + $" Dead parameter tensors: {dead}.",
                "gradient norms over consecutive steps", value: finding.Value, threshold: finding.Threshold);
        }

        // The layer that carries most of the gradient is where to look first.
        int largest = -1;
        for (int i = 0; i < stats.GradientNorms.Length; i++)
            if (stats.GradientNorms[i] is { } v && (largest < 0 || v > stats.GradientNorms[largest]!.Value))
                largest = i;
        string? path = finding.Kind == AnomalyKind.DivergingLoss || largest < 0 ? null : _tree.Parameters[largest].OwnerPath;
        string where = largest < 0 ? "" : $" The largest gradient is in '{_tree.Parameters[largest].Name}' (norm {stats.GradientNorms[largest]:G4}).";
        return AnomalyEvents.Alarm(finding.Kind, step, path, path is null ? null : _tree.TypeNameAt(path), finding.Message + where,
            $"robust statistics over the last {_options.WindowSize} steps (median and MAD)", finding.Value, finding.Threshold);
    }

    private AnomalyEvent Unlocated(long step, StepStatistics stats, ExternalException? backwardError)
    {
        string localization = _options.Localize
            ? "the replay did not reproduce the anomaly (non-deterministic step?)"
            : "not localized (MonitorOptions.Localize is off)";
        if (!double.IsFinite(stats.Loss))
            return AnomalyEvents.NonFiniteLoss(step, $"The loss is {stats.Loss}.", localization);
        var bad = _tree.Parameters.Where((p, i) => stats.GradientNorms[i] is { } v && !double.IsFinite(v)).Select(p => p.Name).ToList();
        string? node = backwardError is null ? null : StepReplay.NodeName(backwardError.Message);
        return AnomalyEvents.NonFiniteGradient(step, bad.Count > 0 ? ModuleTree.OwnerPath(bad[0]) : null, null, node, null, null,
            $"Non-finite gradients in: {string.Join(", ", bad)}." + (backwardError is null ? "" : $" libtorch: {backwardError.Message.Split('\n')[0]}"),
            localization);
    }

    /// <summary>Under <see cref="AnomalyPolicy.Heal"/>, after the rollback: the healer sees the step (with the sharpness and
    /// update ratios when they were measured) and may scale the learning rate.</summary>
    private void Heal(List<AnomalyEvent> anomalies, bool actionable, InstrumentContext context)
    {
        if (_healer is null)
            return;
        var quantities = _runner.Store;
        double? sharpness = quantities.TryGet(Quantities.TopHessianEigenvalue, out double lambda) ? lambda : null;
        var ratios = quantities.TryGet(Quantities.UpdateRatios, out var r) ? r : null;
        foreach (var heal in _healer.Observe(context.Step, context.Loss, anomalies, actionable, ratios, sharpness))
            _recorder.Record(heal);
    }

    private RunMetadata DescribeRun(nn.Module model)
    {
        var children = model.named_children().Select(c => ModuleTree.TypeName(c.module)).ToList();
        return new RunMetadata
        {
            RunName = _options.RunName,
            ModelDescription = children.Count == 0 ? ModuleTree.TypeName(model) : $"{ModuleTree.TypeName(model)}({string.Join(", ", children)})",
            ParameterCount = _tree.Parameters.Sum(p => p.Tensor.numel()),
            Device = _tree.Parameters.FirstOrDefault()?.Tensor.device.ToString() ?? "cpu",
            Seed = _options.Seed,
            StartedAt = DateTimeOffset.UtcNow,
            TorchSharpVersion = typeof(torch).Assembly.GetName().Version?.ToString(),
            LibraryVersion = typeof(TrainingMonitor).Assembly.GetName().Version?.ToString(),
            Tags = WithOptimizerTag(_options.Tags, _options.Optimizer),
            Rank = _options.Rank,
            WorldSize = _options.WorldSize,
        };
    }

    /// <summary>
    /// The tags, plus an <c>"optimizer"</c> tag naming the optimizer's type (SGD, Adam...) when there is an optimizer and the
    /// caller gave no such tag: the report needs it to judge the curvature against the edge of stability 2/lr.
    /// </summary>
    private static IReadOnlyDictionary<string, string> WithOptimizerTag(IReadOnlyDictionary<string, string> tags, optim.Optimizer? optimizer)
    {
        if (optimizer is null || tags.Keys.Any(k => string.Equals(k, "optimizer", StringComparison.OrdinalIgnoreCase)))
            return tags;
        return new Dictionary<string, string>(tags) { ["optimizer"] = optimizer.GetType().Name };
    }

    /// <summary>Removes the monitor's hooks, closes the run log, disposes the instruments and frees the copies it holds. The model is left as it is.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _batchNorm.Dispose();
        _runner.Dispose();
        _rollback.Dispose();
        _reader.Dispose();
        _recorder.Dispose();
    }
}
