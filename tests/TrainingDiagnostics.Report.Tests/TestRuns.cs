using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>Runs built by hand for the report tests, and helpers to read a rendered report back.</summary>
internal static partial class TestRuns
{
    public const string Xss = "<img src=x onerror=alert(1)>";

    public static DiagnosticsRun Run(IEnumerable<StepRecord> steps, string name = "digits", bool complete = true, IEnumerable<AnomalyEvent>? anomalies = null) => new()
    {
        Metadata = new RunMetadata
        {
            RunName = name,
            ModelDescription = "MLP 64-32-10",
            ParameterCount = 2410,
            Device = "cpu",
            Seed = 42,
            StartedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 7, TimeSpan.Zero),
            TorchSharpVersion = "0.107.0",
            Tags = new Dictionary<string, string> { ["learning rate"] = "0.01" },
        },
        Steps = steps.ToList(),
        Anomalies = (anomalies ?? []).ToList(),
        IsComplete = complete,
    };

    public static MetricRecord Metric(long step, string name, double value) => new() { Step = step, Name = name, Value = value };

    /// <summary><see cref="Typical"/> with a learning rate of 0.01 at every step and two held-out metrics every 10 steps, both improving.</summary>
    public static DiagnosticsRun WithMetrics() => Typical() with
    {
        Steps = Typical().Steps.Select(s => s with { LearningRate = 0.01 }).ToList(),
        Metrics = Enumerable.Range(1, 5).SelectMany(k => new[]
        {
            Metric((10 * k) - 1, "validation/loss", 1.0 / k),
            Metric((10 * k) - 1, "validation/accuracy", 0.5 + (0.08 * k)),
        }).ToList(),
    };

    public static StepRecord Step(long step, double loss, params (string Name, double? Grad)[] layers) => new()
    {
        Step = step,
        Loss = loss,
        Layers = layers.Select(l => new LayerStatistics { Name = l.Name, GradientNorm = l.Grad, WeightNorm = 1234.5678 }).ToList(),
    };

    public static DiagnosticsRun Typical(string layerName = "fc1.weight") => Run(
        Enumerable.Range(0, 50).Select(i => Step(i, 2.5 / (1 + (0.1 * i)), (layerName, 1.5 + i), ("fc1.bias", 0.001234 * (i + 1)))));

    public static AnomalyEvent NaNGradient(long step, string module = "block.act") => new()
    {
        Kind = AnomalyKind.NonFiniteGradient,
        Step = step,
        Phase = AnomalyPhase.Backward,
        ModulePath = module,
        Operation = "SqrtBackward0",
        NaNCount = 3,
        Tensor = new TensorStatistics { Name = "grad_input", Shape = [64, 32], DType = "Float32", NaNCount = 3, Min = -0.5, Max = 1.25, MeanAbsolute = 0.0625 },
        Inputs = [new TensorStatistics { Name = "input[0]", Shape = [64, 32], DType = "Float32", Min = 0, Max = 4 }],
        Message = "The backward pass of sqrt produced NaN where its input was 0.",
        Suggestion = "Clamp the input: sqrt(x.clamp_min(1e-12)).",
        Localization = "Replay of the step: first non-finite gradient at the probe after block.act.",
    };

    public static AnomalyEvent Exploding(long step) => new()
    {
        Kind = AnomalyKind.ExplodingGradient,
        Step = step,
        Phase = AnomalyPhase.Backward,
        Message = "Gradient norm 812 is 40 times its typical value.",
        Value = 812,
        Threshold = 120,
        Action = "SkipStep",
    };

    public static string Render(DiagnosticsRun run, ReportOptions? options = null)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReport.Write(run, text, options);
        return text.ToString();
    }

    public static string RenderCompare(IReadOnlyList<DiagnosticsRun> runs, ReportOptions? options = null)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReport.Compare(runs, text, options);
        return text.ToString();
    }

    /// <summary>The raw text of the report's JSON data block.</summary>
    public static string DataBlock(string html) => DataBlockRegex().Match(html).Groups[1].Value;

    /// <summary>The report's data, parsed by System.Text.Json (an independent reader).</summary>
    public static JsonDocument Data(string html) => JsonDocument.Parse(DataBlock(html));

    /// <summary>Every step of the loss line in the data block, in order.</summary>
    public static List<(long Step, double Value)> LossPoints(string html)
    {
        using JsonDocument data = Data(html);
        var points = new List<(long, double)>();
        foreach (JsonElement segment in data.RootElement.GetProperty("loss").GetProperty("seg").EnumerateArray())
        {
            var steps = segment[0].EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = segment[1].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            points.AddRange(steps.Zip(values));
        }

        return points;
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataBlockRegex();
}
