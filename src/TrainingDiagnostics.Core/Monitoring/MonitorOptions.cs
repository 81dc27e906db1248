using Microsoft.Extensions.Logging;
using TorchSharp;

namespace TrainingDiagnostics.Monitoring;

/// <summary>Settings of a <see cref="TrainingMonitor"/>. The defaults suit a typical run: SkipStep on anomalies, economy tier.</summary>
public sealed record MonitorOptions
{
    /// <summary>What to do on an anomaly. Default: <see cref="AnomalyPolicy.SkipStep"/> (every policy also records the event).</summary>
    public AnomalyPolicy Policy { get; init; } = AnomalyPolicy.SkipStep;

    /// <summary>
    /// The optimizer: its learning rate is recorded with every step, and <see cref="AnomalyPolicy.Rollback"/> restores its
    /// state (moments, step counts) with the weights.
    /// </summary>
    public torch.optim.Optimizer? Optimizer { get; init; }

    /// <summary>
    /// Where the monitor reports, as structured log records, every incident (an error when critical, a NaN or infinity; a
    /// warning otherwise), every contained instrument failure (a warning) and every action of <see cref="AnomalyPolicy.Heal"/>
    /// and its outcome, under every policy. Each record has a stable event id and name (<c>TrainingIncident</c>,
    /// <c>InstrumentFailure</c>, <c>HealAction</c>, <c>HealOutcome</c>) and one field per fact (run, step, kind, severity,
    /// module, operation, action...), which OpenTelemetry exports as attributes. Null for none.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// A JSON Lines run log to write (one line per step and per event); null for none. The lines are written off the training
    /// thread, each flushed within 20 ms of its step, so a crash loses at most the last 20 ms of records; disposing the
    /// monitor (or the process exiting normally) writes everything.
    /// </summary>
    public string? RunLogPath { get; init; }

    /// <summary>The run's name in its metadata.</summary>
    public string RunName { get; init; } = "run";

    /// <summary>Free-form metadata tags (optimizer, learning rate, dataset...). Without an <c>"optimizer"</c> tag, the monitor adds
    /// one naming the type of <see cref="Optimizer"/> when that is set (the report reads it to judge curvature).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>In a distributed run, this process's rank, recorded in the metadata (each rank writes its own run log).</summary>
    public int? Rank { get; init; }

    /// <summary>In a distributed run, the number of processes, recorded in the metadata.</summary>
    public int? WorldSize { get; init; }

    /// <summary>The seed of the run, recorded in the metadata.</summary>
    public long? Seed { get; init; }

    /// <summary>Set the model's gradients to none before each step's forward pass (the usual <c>zero_grad</c>). Default true.</summary>
    public bool ZeroGradients { get; init; } = true;

    /// <summary>Replay anomalous steps to name the module and operation that produced the anomaly. Default true.</summary>
    public bool Localize { get; init; } = true;

    /// <summary>Steps of gradient-norm and loss history the robust statistics use (median and MAD). Default 200.</summary>
    public int WindowSize { get; init; } = 200;

    /// <summary>Steps observed before exploding/vanishing/diverging alarms may fire. Default 10.</summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>
    /// How far above its window median (in robust standard deviations of log10 of the norm, and at least one decade)
    /// a gradient norm must jump to count as exploding. Default 6.
    /// </summary>
    public double ExplodingThreshold { get; init; } = 6;

    /// <summary>
    /// An update that moves a weight matrix by more than this many times its own norm is flagged as exploding (measured on
    /// <see cref="UpdateRatioSchedule"/> steps). Healthy training sits near 1e-3. Default 1.
    /// </summary>
    public double MaxUpdateRatio { get; init; } = 1.0;

    /// <summary>Consecutive steps with an exactly zero gradient after which a parameter counts as dead (an entire tensor of exact zeros is no minibatch noise). Default 3.</summary>
    public int DeadGradientSteps { get; init; } = 3;

    /// <summary>When to measure update-to-weight ratios (a copy of the weights, compared at the next step). Default every 10 steps.</summary>
    public Schedule UpdateRatioSchedule { get; init; } = Schedule.Every(10);

    /// <summary>
    /// When to compute per-parameter weight norms (a pass over every weight, as costly as the gradient norms; weights move
    /// slowly). Default every 10 steps, the update-ratio steps. Non-finite weights are checked at once whenever the loss or
    /// a gradient is non-finite, whatever this schedule.
    /// </summary>
    public Schedule WeightNormSchedule { get; init; } = Schedule.Every(10);

    /// <summary>When to compute activation statistics (BatchNorm per-channel batch variances). Default never.</summary>
    public Schedule ActivationStatisticsSchedule { get; init; } = Schedule.Never;

    /// <summary>
    /// When to measure the health of the activation modules: the fraction of dead units of every ReLU-family module
    /// (ReLU, ReLU6, Hardsigmoid, Hardswish; zero for every sample of the batch) and the fraction of saturated outputs of
    /// every Sigmoid and Tanh (on the flat tails, derivative below 1 % of its maximum), recorded as metrics
    /// <c>activation/dead_fraction/{module}</c> and <c>activation/saturated_fraction/{module}</c>. A due step puts forward
    /// hooks on those modules for its own forward pass and reads one value per module with the step's transfer; other steps
    /// cost nothing. Default every 25 steps: dying units and saturation build up over tens to hundreds of steps, and 25
    /// gives the report several points within the first hundred steps while keeping the amortized cost under 1 % of a small
    /// model's step.
    /// </summary>
    public Schedule ActivationHealthSchedule { get; init; } = Schedule.Every(25);

    /// <summary>
    /// How many of the first steps the monitor runs profile the model's input (per feature, or per channel of an image:
    /// count, mean, standard deviation, range), merged into one data profile named <c>input</c> in the run log and
    /// <see cref="TrainingDiagnostics.Model.DiagnosticsRun.DataProfiles"/>, with the <c>unnormalized-input</c> finding when
    /// the features' scales span orders of magnitude or sit far from zero (<see cref="TrainingDiagnostics.Model.InputScaleJudge"/>).
    /// The profile is written at the last of these steps. Default 5; 0 turns the profile off.
    /// </summary>
    public int InputProfileBatches { get; init; } = 5;

    /// <summary>
    /// When to estimate the curvature of the loss (the top Hessian eigenvalue, or sharpness, and the Hessian trace) on the
    /// step's own batch, recorded as curvature records (<see cref="TrainingDiagnostics.Model.DiagnosticsRun.Curvature"/>).
    /// Each estimate costs one forward pass, one graph-building backward pass and up to <see cref="CurvatureMatVecBudget"/>
    /// backward passes, so it belongs to the Full tier. Default never; <see cref="ForTier"/>(Full) sets
    /// <see cref="Schedule.Logarithmic"/> (about 10 estimates per decade of steps). Training results do not change (gradients,
    /// buffers, modes and the random state are put back), but the extra forward pass calls the loss closure again and runs
    /// the model's forward hooks, including those of your own instruments.
    /// </summary>
    public Schedule CurvatureSchedule { get; init; } = Schedule.Never;

    /// <summary>
    /// The most Hessian-vector products (one backward pass each) one curvature estimate may spend, at least 2: two fifths for
    /// the top eigenvalue (Lanczos; it stops early once its residual is within 1e-3 of the value), the rest for the trace
    /// (Hutchinson, including what Lanczos left unused). Default 50: up to 20 for the eigenvalue, 30 for the trace.
    /// </summary>
    public int CurvatureMatVecBudget { get; init; } = 50;

    /// <summary>
    /// Under <see cref="AnomalyPolicy.Rollback"/>: the steps at whose start the monitor copies the parameters, buffers and
    /// optimizer state. A copy becomes the state a rollback returns to once its step proves healthy (finite loss and
    /// gradients, no alarm); a rollback therefore returns to the start of the most recent healthy step on this schedule
    /// (and, after a rollback or an unhealthy scheduled step, of the next healthy step). Default every 10 steps: a copy of
    /// every weight and moment at each step would cost up to 10% of a large model's step.
    /// </summary>
    public Schedule RollbackSchedule { get; init; } = Schedule.Every(10);

    /// <summary>
    /// Your own instruments, run after the built-in ones (weight norms, update ratios, BatchNorm variances, activation health,
    /// input profile, histograms, curvature) at the
    /// steps their schedules say, and after the producers of the quantities they require (<see cref="Instrument.Requires"/>),
    /// whatever their place in this list. The monitor disposes them with itself. See <see cref="Instrument"/> for an example.
    /// </summary>
    public IReadOnlyList<Instrument> Instruments { get; init; } = [];

    /// <summary>The most learning-rate actions <see cref="AnomalyPolicy.Heal"/> takes in a run (default 3; at least 1).</summary>
    public int MaxHealActions { get; init; } = 3;

    /// <summary>
    /// After this many due steps in a row in which an instrument failed (threw in any stage), it stands down for the rest of
    /// the run. Every failure is contained (the step goes on as without the instrument) and recorded as an
    /// <see cref="Model.InstrumentFailureRecord"/>. Default 3; at least 1.
    /// </summary>
    public int InstrumentFailureLimit { get; init; } = 3;

    /// <summary>A folder for TensorBoard event files (per-layer scalars each step, histograms on <see cref="HistogramSchedule"/>); null for none.</summary>
    public string? TensorBoardDirectory { get; init; }

    /// <summary>When to write weight and gradient histograms to TensorBoard. Default never.</summary>
    public Schedule HistogramSchedule { get; init; } = Schedule.Never;

    /// <summary>Publish loss, gradient norm and anomaly count through a <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="TrainingMonitor.MeterName"/>. Default true.</summary>
    public bool PublishMetrics { get; init; } = true;

    /// <summary>
    /// Steps kept in memory in <see cref="TrainingMonitor.Run"/>; beyond it the in-memory history is thinned (every anomaly
    /// step kept), while the run log on disk keeps every step. Default 10,000.
    /// </summary>
    public int MaxStepsInMemory { get; init; } = 10_000;

    /// <summary>Options for a cost tier: the schedules of the optional instruments.</summary>
    /// <param name="tier">Economy, Business or Full.</param>
    public static MonitorOptions ForTier(CostTier tier) => tier switch
    {
        CostTier.Economy => new MonitorOptions(),
        CostTier.Business => new MonitorOptions
        {
            ActivationStatisticsSchedule = Schedule.Every(50),
            ActivationHealthSchedule = Schedule.Every(10),
            HistogramSchedule = Schedule.Every(500),
        },
        CostTier.Full => new MonitorOptions
        {
            UpdateRatioSchedule = Schedule.Every(1),
            WeightNormSchedule = Schedule.Every(1),
            ActivationStatisticsSchedule = Schedule.Every(1),
            ActivationHealthSchedule = Schedule.Every(1),
            HistogramSchedule = Schedule.Every(50),
            CurvatureSchedule = Schedule.Logarithmic(),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown cost tier."),
    };
}
