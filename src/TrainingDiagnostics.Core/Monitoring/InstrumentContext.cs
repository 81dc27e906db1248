using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>What an <see cref="Instrument"/> sees of one monitored step, and where it puts what it measures.</summary>
public sealed class InstrumentContext
{
    private readonly List<MetricRecord> _metrics = [];
    private readonly List<AnomalyEvent> _anomalies = [];
    private readonly List<CurvatureRecord> _curvature = [];
    private readonly List<DataProfileRecord> _dataProfiles = [];

    internal InstrumentContext(ModuleTree tree, Func<Tensor> loss, long step, optim.Optimizer? optimizer, DeviceReads reads)
    {
        Tree = tree;
        LossClosure = loss;
        Step = step;
        Optimizer = optimizer;
        Reads = reads;
        ParameterNames = tree.ParameterNames;
        Parameters = tree.ParameterTensors;
    }

    /// <summary>The training step.</summary>
    public long Step { get; }

    /// <summary>The monitored model.</summary>
    public nn.Module Model => Tree.Root;

    /// <summary>The names of the model's parameters, as <c>named_parameters()</c> gives them.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The model's parameters, in the order of <see cref="ParameterNames"/> (after the backward pass their <c>.grad</c> holds the step's gradient).</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The step's loss closure. Calling it runs a forward pass: it moves the random state and BatchNorm
    /// statistics, which the caller must put back.</summary>
    public Func<Tensor> LossClosure { get; }

    /// <summary>The optimizer, when <see cref="MonitorOptions.Optimizer"/> is set.</summary>
    public optim.Optimizer? Optimizer { get; }

    /// <summary>The step's device values, read in one transfer: queue in <see cref="Instrument.Queue"/>, read in <see cref="Instrument.Compute"/>.</summary>
    public DeviceReads Reads { get; }

    /// <summary>The loss (available from <see cref="Instrument.Compute"/> on; NaN before).</summary>
    public double Loss { get; internal set; } = double.NaN;

    /// <summary>Per-parameter gradient norms (available from <see cref="Instrument.Compute"/> on; null for a parameter without gradient).</summary>
    public IReadOnlyList<double?> GradientNorms { get; internal set; } = [];

    /// <summary>Whether the optimizer will apply this step (available in <see cref="Instrument.AfterDecision"/>).</summary>
    public bool WillStep { get; internal set; }

    /// <summary>Whether the policy rolled the model back to its last snapshot in this step (available in <see cref="Instrument.AfterDecision"/>).</summary>
    public bool RolledBack { get; internal set; }

    /// <summary>Records a value at this step, beside the monitor's records (run log, <see cref="TrainingMonitor.Run"/>, TensorBoard).</summary>
    /// <param name="name">The metric's name, for example <c>"zero_grad_fraction/fc1.weight"</c>.</param>
    /// <param name="value">The value.</param>
    public void RecordMetric(string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _metrics.Add(new MetricRecord { Step = Step, Name = name, Value = value });
    }

    /// <summary>Reports an anomaly found by the instrument; the policy treats it like the monitor's own
    /// (see <see cref="AnomalyKinds.IsActionable"/>).</summary>
    /// <param name="anomaly">The event; its <see cref="AnomalyEvent.Step"/> should be <see cref="Step"/>.</param>
    public void ReportAnomaly(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        _anomalies.Add(anomaly);
    }

    internal ModuleTree Tree { get; }

    /// <summary>How much each list holds now: what an instrument stage adds after this mark is discarded if the stage fails.</summary>
    internal (int Metrics, int Anomalies, int Curvature, int DataProfiles) Mark() => (_metrics.Count, _anomalies.Count, _curvature.Count, _dataProfiles.Count);

    /// <summary>Drops what was recorded after <paramref name="mark"/> (a failed instrument stage leaves no partial results).</summary>
    internal void Discard((int Metrics, int Anomalies, int Curvature, int DataProfiles) mark)
    {
        _dataProfiles.RemoveRange(mark.DataProfiles, _dataProfiles.Count - mark.DataProfiles);
        _metrics.RemoveRange(mark.Metrics, _metrics.Count - mark.Metrics);
        _anomalies.RemoveRange(mark.Anomalies, _anomalies.Count - mark.Anomalies);
        _curvature.RemoveRange(mark.Curvature, _curvature.Count - mark.Curvature);
    }

    internal IReadOnlyList<MetricRecord> Metrics => _metrics;

    internal IReadOnlyList<AnomalyEvent> Anomalies => _anomalies;

    /// <summary>Curvature estimates of this step, from the curvature instrument.</summary>
    internal IReadOnlyList<CurvatureRecord> Curvature => _curvature;

    /// <summary>Records a curvature estimate of this step (recorded with the step's metrics).</summary>
    internal void RecordCurvature(CurvatureRecord record) => _curvature.Add(record);

    /// <summary>Data profiles of this step, from the input-profile instrument.</summary>
    internal IReadOnlyList<DataProfileRecord> DataProfiles => _dataProfiles;

    /// <summary>Records a data profile (recorded with the step's metrics).</summary>
    internal void RecordDataProfile(DataProfileRecord profile) => _dataProfiles.Add(profile);

    /// <summary>Per-parameter weight norms, when the weight-norm instrument ran.</summary>
    internal double[]? WeightNorms { get; set; }

    /// <summary>Per-parameter update-to-weight ratios, when the update-ratio instrument measured an update.</summary>
    internal double?[]? UpdateRatios { get; set; }

    /// <summary>Whether the loss and every gradient norm are finite.</summary>
    internal bool GradientsFinite { get; set; }
}
