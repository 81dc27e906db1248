using System.Globalization;
using System.Text;
using Tensorboard;
using TorchSharp;
using TrainingDiagnostics.ModuleState;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Writes a run's records as one TensorBoard event file, and is the one place that names the TensorBoard tags: the
/// live monitor and the conversion of a run log (<see cref="TensorBoardExport"/>) both write through it. Scalars every
/// step: <c>loss</c>, <c>learning_rate</c>, <c>grad_norm/total</c>, and per parameter <c>grad_norm/NAME</c>,
/// <c>weight_norm/NAME</c>, <c>update_ratio/NAME</c> where measured; metrics under their own names; curvature as
/// <c>curvature/top_eigenvalue</c> and <c>curvature/trace</c>; weight and gradient histograms (<c>weights/NAME</c>,
/// <c>gradients/NAME</c>) on a schedule; incidents, heals and pipeline fits as text (<c>anomalies</c>, <c>heals</c>,
/// <c>pipeline</c>, each followed by <c>/text_summary</c> as TorchSharp's and PyTorch's text summaries name them). Values are TensorBoard's <c>simple_value</c> (float32), as TorchSharp's SummaryWriter writes them.
/// </summary>
internal sealed class TensorBoardExporter : IDisposable
{
    /// <summary>The text tag of incidents.</summary>
    public const string AnomaliesTag = "anomalies";

    /// <summary>The text tag of the Heal policy's actions and outcomes.</summary>
    public const string HealsTag = "heals";

    /// <summary>The text tag of observed pipeline fits (ML.NET stages).</summary>
    public const string PipelineTag = "pipeline";

    /// <summary>How many lines of a fit's log a <see cref="PipelineTag"/> text keeps.</summary>
    public const int MaxFitLogLines = 200;

    private static readonly double[] DefaultBins = TensorFlowDefaultBins();
    private readonly TensorBoardEventWriter _writer;
    private readonly bool _flushEachWrite;
    private readonly Func<double> _clock;

    /// <summary>Opens a new event file in <paramref name="directory"/> for a live run: every write is flushed, wall times are now.</summary>
    public TensorBoardExporter(string directory)
        : this(directory, DefaultFileName(), flushEachWrite: true, clock: Now)
    {
    }

    /// <summary>Creates (or replaces) the event file <paramref name="fileName"/> in <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder; created if needed.</param>
    /// <param name="fileName">The file's name; TensorBoard reads files whose name contains <c>tfevents</c>.</param>
    /// <param name="flushEachWrite">Flush after each write (a live run, read while it trains); else on <see cref="Dispose"/> only.</param>
    /// <param name="clock">The wall time (Unix seconds) of each event.</param>
    public TensorBoardExporter(string directory, string fileName, bool flushEachWrite, Func<double> clock)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        _flushEachWrite = flushEachWrite;
        _clock = clock;
        _writer = new TensorBoardEventWriter(Path.Combine(directory, fileName), clock());
    }

    /// <summary>The folder of the event file.</summary>
    public string Directory { get; }

    /// <summary>The event file.</summary>
    public string EventFile => _writer.Path;

    /// <summary>Scalars written so far.</summary>
    public long ScalarCount { get; private set; }

    /// <summary>Histograms written so far.</summary>
    public long HistogramCount { get; private set; }

    /// <summary>Texts written so far.</summary>
    public long TextCount { get; private set; }

    /// <summary>The name of a new event file, as TorchSharp's SummaryWriter forms it (time, host, process).</summary>
    public static string DefaultFileName() => string.Create(CultureInfo.InvariantCulture,
        $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref s_fileCounter)}");

    private static int s_fileCounter;

    /// <summary>The per-parameter scalar tag of a gradient norm.</summary>
    public static string GradientNormTag(string parameter) => "grad_norm/" + parameter;

    /// <summary>The per-parameter scalar tag of a weight norm.</summary>
    public static string WeightNormTag(string parameter) => "weight_norm/" + parameter;

    /// <summary>The per-parameter scalar tag of an update ratio.</summary>
    public static string UpdateRatioTag(string parameter) => "update_ratio/" + parameter;

    /// <summary>The scalar tag of a curvature estimate.</summary>
    public static string CurvatureTag(CurvatureQuantity quantity) =>
        quantity == CurvatureQuantity.TopEigenvalue ? "curvature/top_eigenvalue" : "curvature/trace";

    /// <summary>The step's scalars: loss, learning rate, total and per-parameter norms and ratios (those measured).</summary>
    public void Write(StepRecord record)
    {
        long step = record.Step;
        var summary = new Summary();
        Add(summary, "loss", record.Loss);
        if (record.LearningRate is { } rate)
            Add(summary, "learning_rate", rate);
        if (record.GradientNorm is { } total)
            Add(summary, "grad_norm/total", total);
        if (record.Layers is ParameterColumns columns)
            AddColumns(summary, columns);
        else
            foreach (LayerStatistics layer in record.Layers)
            {
                if (layer.GradientNorm is { } g)
                    Add(summary, GradientNormTag(layer.Name), g);
                if (layer.WeightNorm is { } w)
                    Add(summary, WeightNormTag(layer.Name), w);
                if (layer.UpdateRatio is { } u)
                    Add(summary, UpdateRatioTag(layer.Name), u);
            }

        // One event per scalar, as SummaryWriter writes them: readers that take the first value of an event see them all.
        foreach (Summary.Types.Value value in summary.Value)
            _writer.Write(new Event { Step = step, WallTime = _clock(), Summary = new Summary { Value = { value } } });
        ScalarCount += summary.Value.Count;
        Flushed();
    }

    /// <summary>A metric as a scalar under its own name.</summary>
    public void Write(MetricRecord metric) => WriteScalar(metric.Name, metric.Value, metric.Step);

    /// <summary>A curvature estimate as a <c>curvature/...</c> scalar.</summary>
    public void Write(CurvatureRecord curvature) => WriteScalar(CurvatureTag(curvature.Quantity), curvature.Value, curvature.Step);

    /// <summary>An incident as a line of text under <see cref="AnomaliesTag"/>.</summary>
    public void Write(AnomalyEvent anomaly) =>
        WriteText(AnomaliesTag, $"{anomaly.Kind} ({anomaly.Phase}) at {anomaly.ModulePath ?? "-"}: {anomaly.Message} {anomaly.Suggestion}", anomaly.Step);

    /// <summary>A Heal action or outcome as a line of text under <see cref="HealsTag"/>.</summary>
    public void Write(HealRecord heal) => WriteText(HealsTag, string.Create(CultureInfo.InvariantCulture,
        $"{heal.Action} {heal.Target ?? "-"}{(heal.Factor is { } f ? $" x{f:G4}" : "")}: {heal.Reason}{(heal.Outcome is { } o ? $" ({o})" : "")}"), heal.Step);

    /// <summary>An observed pipeline fit (an ML.NET stage) as text under <see cref="PipelineTag"/>, at step 0: its duration, error and log.</summary>
    public void Write(ObservedFitRecord fit)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{fit.Name} ({fit.EstimatorType ?? "estimator"}): {fit.DurationMilliseconds:0} ms");
        if (fit.Error is { } error)
            text.Append(" failed: ").Append(error);
        if (fit.LogLines.Count > 0)
        {
            text.Append("\n\n```\n");
            foreach (string line in fit.LogLines.Take(MaxFitLogLines))
                text.Append(line.Replace("```", "'''", StringComparison.Ordinal)).Append('\n');
            if (fit.LogLines.Count > MaxFitLogLines)
                text.Append(CultureInfo.InvariantCulture, $"... {fit.LogLines.Count - MaxFitLogLines} more lines\n");
            text.Append("```");
        }

        WriteText(PipelineTag, text.ToString(), 0);
    }

    /// <summary>Weight and gradient histograms of every finite parameter (TensorFlow's default buckets, as SummaryWriter's default).</summary>
    public void WriteHistograms(ModuleTree tree, long step)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor bins = tensor(DefaultBins);
        foreach (var p in tree.Parameters)
        {
            var values = p.Tensor.detach();
            if (values.numel() > 0 && TensorStatisticsReader.IsFinite(values))
                WriteHistogram($"weights/{p.Name}", values.cpu(), bins, step);
            if (p.Tensor.grad is { } g && g.numel() > 0 && TensorStatisticsReader.IsFinite(g))
                WriteHistogram($"gradients/{p.Name}", g.detach().cpu(), bins, step);
        }

        Flushed();
    }

    /// <summary>Writes what is buffered and closes the file.</summary>
    public void Dispose() => _writer.Dispose();

    private void AddColumns(Summary summary, ParameterColumns columns)
    {
        ReadOnlySpan<double?> gradient = columns.GradientNorms, weight = columns.WeightNorms, update = columns.UpdateRatios;
        for (int i = 0; i < columns.Count; i++)
        {
            string name = columns.Names[i];
            if (gradient[i] is { } g)
                Add(summary, GradientNormTag(name), g);
            if (!weight.IsEmpty && weight[i] is { } w)
                Add(summary, WeightNormTag(name), w);
            if (!update.IsEmpty && update[i] is { } u)
                Add(summary, UpdateRatioTag(name), u);
        }
    }

    private static void Add(Summary summary, string tag, double value) =>
        summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    private void WriteScalar(string tag, double value, long step)
    {
        _writer.Write(new Event { Step = step, WallTime = _clock(), Summary = new Summary { Value = { new Summary.Types.Value { Tag = tag, SimpleValue = (float)value } } } });
        ScalarCount++;
        Flushed();
    }

    private void WriteText(string tag, string text, long step)
    {
        _writer.Write(new Event { Step = step, WallTime = _clock(), Summary = utils.tensorboard.Summary.text(tag, text) });
        TextCount++;
        Flushed();
    }

    private void WriteHistogram(string tag, Tensor values, Tensor bins, long step)
    {
        _writer.Write(new Event { Step = step, WallTime = _clock(), Summary = utils.tensorboard.Summary.histogram(tag, values, bins) });
        HistogramCount++;
    }

    private void Flushed()
    {
        if (_flushEachWrite)
            _writer.Flush();
    }

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>TensorFlow's default histogram buckets: ±1e-12 growing by 1.1 up to 1e20, and 0 (SummaryWriter's default too).</summary>
    private static double[] TensorFlowDefaultBins()
    {
        var positive = new List<double>();
        for (double v = 1e-12; v < 1e20; v *= 1.1)
            positive.Add(v);
        return [.. positive.AsEnumerable().Reverse().Select(v => -v), 0, .. positive];
    }
}
