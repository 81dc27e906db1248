using System.Diagnostics.CodeAnalysis;
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
        : this(tree, loss, step, optimizer, reads, QuantityStore.Empty())
    {
    }

    internal InstrumentContext(ModuleTree tree, Func<Tensor> loss, long step, optim.Optimizer? optimizer, DeviceReads reads, QuantityStore quantities)
    {
        Store = quantities;
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

    /// <summary>Whether the loss and every gradient norm are finite (available from <see cref="Instrument.Compute"/> on; false before).</summary>
    public bool GradientsFinite { get; internal set; }

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

    /// <summary>Records a curvature estimate of this step (run log, <see cref="TrainingMonitor.Run"/>'s
    /// <see cref="DiagnosticsRun.Curvature"/>, TensorBoard), as the built-in curvature instrument does.</summary>
    /// <param name="record">The estimate; its <see cref="CurvatureRecord.Step"/> should be <see cref="Step"/>.</param>
    public void RecordCurvature(CurvatureRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _curvature.Add(record);
    }

    /// <summary>Records a data profile (run log, <see cref="TrainingMonitor.Run"/>'s <see cref="DiagnosticsRun.DataProfiles"/>),
    /// as the built-in input-profile instrument does.</summary>
    /// <param name="profile">The profile.</param>
    public void RecordDataProfile(DataProfileRecord profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _dataProfiles.Add(profile);
    }

    /// <summary>
    /// Publishes this step's value of <paramref name="quantity"/>, for the instruments that list it in
    /// <see cref="Instrument.Requires"/> (they run after this one) and for the monitor. Publishing again replaces the value.
    /// </summary>
    /// <typeparam name="T">The quantity's value type.</typeparam>
    /// <param name="quantity">A quantity this instrument lists in <see cref="Instrument.Publishes"/>.</param>
    /// <param name="value">The value; readers get this instance, so publish nothing you change later.</param>
    /// <exception cref="InvalidOperationException">The instrument does not list <paramref name="quantity"/> in its
    /// <see cref="Instrument.Publishes"/>.</exception>
    public void Publish<T>(Quantity<T> quantity, T value) => Store.Publish(quantity, value);

    /// <summary>
    /// Reads this step's value of <paramref name="quantity"/>: true when its producer published it at this step (false when
    /// the producer was not due, found nothing to measure, or failed). Cost: an array index.
    /// </summary>
    /// <typeparam name="T">The quantity's value type.</typeparam>
    /// <param name="quantity">A quantity this instrument lists in <see cref="Instrument.Requires"/> (or publishes itself).</param>
    /// <param name="value">The value, or the type's default when there is none.</param>
    /// <returns>Whether the quantity was published at this step.</returns>
    /// <exception cref="InvalidOperationException">The instrument does not list <paramref name="quantity"/> in its
    /// <see cref="Instrument.Requires"/>: its producer might run after it.</exception>
    public bool TryGet<T>(Quantity<T> quantity, [MaybeNullWhen(false)] out T value) => Store.TryGet(quantity, out value);

    internal ModuleTree Tree { get; }

    /// <summary>The monitor's published quantities, and which instrument's stage runs now.</summary>
    internal QuantityStore Store { get; }

    /// <summary>How much each list holds now, and the quantities' clock: what an instrument stage adds after this mark is
    /// discarded if the stage fails.</summary>
    internal (int Metrics, int Anomalies, int Curvature, int DataProfiles, long Quantities) Mark() =>
        (_metrics.Count, _anomalies.Count, _curvature.Count, _dataProfiles.Count, Store.Mark());

    /// <summary>Drops what was recorded and published after <paramref name="mark"/> (a failed instrument stage leaves no partial results).</summary>
    internal void Discard((int Metrics, int Anomalies, int Curvature, int DataProfiles, long Quantities) mark)
    {
        _dataProfiles.RemoveRange(mark.DataProfiles, _dataProfiles.Count - mark.DataProfiles);
        _metrics.RemoveRange(mark.Metrics, _metrics.Count - mark.Metrics);
        _anomalies.RemoveRange(mark.Anomalies, _anomalies.Count - mark.Anomalies);
        _curvature.RemoveRange(mark.Curvature, _curvature.Count - mark.Curvature);
        Store.Withdraw(mark.Quantities);
    }

    internal IReadOnlyList<MetricRecord> Metrics => _metrics;

    internal IReadOnlyList<AnomalyEvent> Anomalies => _anomalies;

    /// <summary>Curvature estimates of this step.</summary>
    internal IReadOnlyList<CurvatureRecord> Curvature => _curvature;

    /// <summary>Data profiles of this step.</summary>
    internal IReadOnlyList<DataProfileRecord> DataProfiles => _dataProfiles;
}
