using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;
using TrainingDiagnostics.Cli.Demo;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Cli.Tests.Chaos;

/// <summary>
/// The chaos matrix: every instrument due at every step (curvature, histograms and TensorBoard included) x every planted
/// fault of the demo x every policy x models with BatchNorm, Dropout, a custom module with in-place operations and nested
/// modules. Each cell must train to the end with no instrument failure, its log must read back, its report must render,
/// and the verdict must name the planted fault. The matrix is printed with its counts.
/// </summary>
[TestClass]
public sealed class ChaosMatrixTests
{
    private const int Steps = 24, FaultStep = 12, BatchSize = 32, EvaluateEvery = 8;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The demo's faults, planted as the demo plants them, with what the verdict must then say.</summary>
    private static readonly ChaosFault[] Faults =
    [
        new("none", Plant: (_, _, _) => { }, Names: v => v.Findings.All(f => f.Rule != "incident"), Expected: "no incident"),
        new("batchnorm", NeedsBatchNorm: true, Plant: (_, _, _) => { }, OneRow: true,
            Names: v => v.Findings.Any(f => f.Rule == "incident" && f.ModulePath?.Split('.')[^1] == "bn"), Expected: "an incident in bn"),
        new("lr", Plant: (_, optimizer, _) =>
        {
            foreach (var group in optimizer.ParamGroups)
                group.LearningRate *= 1000;
        }, Names: v => v.Findings.Any(f => f.Rule == "learning-rate-jump"), Expected: "the learning-rate jump"),
        new("data", Plant: (x, _, _) => x[3, 10] = float.NaN,
            Names: v => v.Findings.Any(f => f.Rule == "incident" && f.Title.Contains("input", StringComparison.OrdinalIgnoreCase)), Expected: "a non-finite input"),
        new("sqrt", NeedsGate: true, Plant: (x, _, _) => x[0] = zeros(ChaosModels.Features),
            Names: v => v.Findings.Any(f => f.Rule == "incident" && f.ModulePath?.Split('.')[^1] == "gate"), Expected: "an incident in gate"),

        // The silent faults of the demo: planted from the first step, found by the report's rules within the cell's steps.
        new("dead-relu", Plant: (_, _, _) => { }, Prepare: KillActivations,
            Names: v => v.Findings.Any(f => f.Rule is "dying-relu" or "saturated-activation" && f.ModulePath is not null),
            Expected: "dying-relu (saturated-activation for the tanh model) at the activation"),
        new("frozen", Plant: (_, _, _) => { }, Frozen: true,
            Names: v => v.Findings.Any(f => f.Rule == "frozen-parameters" && f.ModulePath?.Contains("fc1.", StringComparison.Ordinal) == true),
            Expected: "frozen-parameters at fc1"),
        new("unscaled", Plant: (_, _, _) => { }, Unscaled: true,
            Names: v => v.Findings.Any(f => f.Rule == "unnormalized-input" && f.ModulePath == "input"), Expected: "unnormalized-input at input"),
    ];

    /// <summary>The layer right before the first activation gets a bias of -10: ReLUs die, a tanh saturates.</summary>
    private static void KillActivations(nn.Module model)
    {
        using var noGrad = no_grad();
        var parameters = model.named_parameters().ToList(); // after a BatchNorm, its shift (a bias before it is normalized away)
        var bias = (parameters.FirstOrDefault(p => p.name.EndsWith("bn.bias", StringComparison.Ordinal)).parameter
            ?? parameters.First(p => p.name.EndsWith("fc1.bias", StringComparison.Ordinal)).parameter);
        bias.fill_(-10);
    }

    private static readonly AnomalyPolicy[] Policies = Enum.GetValues<AnomalyPolicy>();

    [TestMethod]
    [Timeout(900_000)]
    public void EveryFaultUnderEveryPolicyOnEveryModelWithEveryInstrumentDueTrainsLogsRendersAndIsNamed()
    {
        int previousThreads = get_num_threads();
        set_num_threads(1);
        string root = Path.Combine(Path.GetTempPath(), $"tdiag-chaos-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var data = DigitsDataset.Load(DigitsDataset.DefaultPath);
        var failures = new List<string>();
        var table = new Dictionary<(string Fault, AnomalyPolicy Policy), int>();
        var clock = Stopwatch.StartNew();
        try
        {
            using var features = tensor(data.Features[..(512 * DigitsDataset.FeatureCount)], [512, DigitsDataset.FeatureCount]);
            using var labels = tensor(data.Labels[..512]);
            foreach (var fault in Faults)
            foreach (var policy in Policies)
            foreach (var model in ChaosModels.Names)
            {
                string cell = $"{fault.Name} x {policy} x {model}";
                string? problem;
                try
                {
                    problem = RunCell(fault, policy, model, features, labels, Path.Combine(root, $"{fault.Name}-{policy}-{model}"));
                }
                catch (Exception e)
                {
                    problem = $"escaped: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                }
                if (problem is null)
                    table[(fault.Name, policy)] = table.GetValueOrDefault((fault.Name, policy)) + 1;
                else
                    failures.Add($"{cell}: {problem}");
            }
        }
        finally
        {
            set_num_threads(previousThreads);
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Chaos matrix: cells passed of {ChaosModels.Names.Length} models ({string.Join(", ", ChaosModels.Names)}), {Steps} steps each, every instrument due at every step; {clock.Elapsed.TotalSeconds:F0} s");
        text.AppendLine("| fault | " + string.Join(" | ", Policies) + " |");
        text.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" --- |", Policies.Length)));
        foreach (var fault in Faults)
            text.AppendLine($"| {fault.Name} | " + string.Join(" | ", Policies.Select(p => $"{table.GetValueOrDefault((fault.Name, p))}/{ChaosModels.Names.Length}")) + " |");
        int cells = Faults.Length * Policies.Length * ChaosModels.Names.Length;
        text.AppendLine(CultureInfo.InvariantCulture, $"{cells - failures.Count} of {cells} cells passed");
        TestContext.WriteLine(text.ToString());
        Console.WriteLine(text.ToString());
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures));
    }

    /// <summary>One cell; returns what went wrong, or null.</summary>
    private static string? RunCell(ChaosFault fault, AnomalyPolicy policy, string modelName, Tensor features, Tensor labels, string folder)
    {
        Directory.CreateDirectory(folder);
        string logPath = Path.Combine(folder, "run.jsonl");
        manual_seed(3);
        var random = new Random(3);
        var model = ChaosModels.Build(modelName, fault.NeedsBatchNorm, fault.NeedsGate);
        fault.Prepare?.Invoke(model);
        var trained = fault.Frozen ? model.named_parameters().Where(p => !p.name.Contains("fc1.", StringComparison.Ordinal)).Select(p => p.parameter) : model.parameters();
        var optimizer = optim.Adam(trained, 0.01);
        using var unscaled = fault.Unscaled // pixel column j times 10^(j mod 5), plus 10: scales over four decades, far from 0
            ? (features * tensor(Enumerable.Range(0, ChaosModels.Features).Select(j => (float)Math.Pow(10, j % 5)).ToArray()) + 10).DetachFromDisposeScope()
            : null;
        features = unscaled ?? features;
        var every = Schedule.Every(1);
        using (var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            Policy = policy,
            Optimizer = optimizer,
            RunLogPath = logPath,
            RunName = $"chaos {fault.Name} {policy} {modelName}",
            PublishMetrics = true,
            TensorBoardDirectory = Path.Combine(folder, "tb"),
            WeightNormSchedule = every,
            UpdateRatioSchedule = every,
            ActivationStatisticsSchedule = every,
            ActivationHealthSchedule = every,
            HistogramSchedule = every,
            CurvatureSchedule = every,
            CurvatureMatVecBudget = 4,
            WarmupSteps = 4,
        }))
        {
            for (int step = 0; step < Steps; step++)
            {
                using var scope = NewDisposeScope();
                model.train();
                int rows = fault.OneRow && step == FaultStep ? 1 : BatchSize;
                var index = tensor(Enumerable.Range(0, rows).Select(_ => (long)random.Next(512)).ToArray());
                var x = features.index_select(0, index);
                var y = labels.index_select(0, index);
                if (step == FaultStep)
                {
                    using var noGrad = no_grad();
                    fault.Plant(x, optimizer, step);
                }
                StepResult result;
                try
                {
                    result = monitor.Step(step, () => nn.functional.cross_entropy(model.call(x), y));
                }
                catch (TrainingAnomalyException) when (policy == AnomalyPolicy.Throw)
                {
                    continue; // the user's loop decides what a thrown anomaly means: here, skip the batch
                }
                if (result.ShouldStep)
                    optimizer.step();
                if ((step + 1) % EvaluateEvery == 0)
                {
                    model.eval();
                    using var noGrad = no_grad();
                    var logits = model.call(features[..128]);
                    monitor.RecordMetric(step, "validation/loss", nn.functional.cross_entropy(logits, labels[..128]).item<float>());
                    monitor.RecordMetric(step, "validation/accuracy", logits.argmax(1).eq(labels[..128]).to(ScalarType.Float32).mean().item<float>());
                }
            }
            if (monitor.Run.InstrumentFailures.Count > 0)
            {
                var f = monitor.Run.InstrumentFailures[0];
                return $"instrument '{f.Instrument}' failed in {f.Stage} at step {f.Step}: {f.ExceptionType}: {f.Message}";
            }
        }

        var run = RunLogReader.Read(logPath);
        if (run.Steps.Count != Steps) // a step that throws under Throw is recorded before it throws
            return $"the log read back {run.Steps.Count} steps of {Steps}";
        if (!Directory.EnumerateFiles(Path.Combine(folder, "tb")).Any())
            return "no TensorBoard event file";
        string html = Path.Combine(folder, "report.html");
        var summary = HtmlReport.WriteLogs([logPath], html);
        if (new FileInfo(html).Length < 10_000 || !File.ReadAllText(html).Contains("</html>", StringComparison.Ordinal))
            return "the report did not render";
        if (!fault.Names(summary.Verdict))
            return $"the verdict ({summary.Verdict.Level}) does not name {fault.Expected}: " +
                string.Join("; ", summary.Verdict.Findings.Select(f => $"[{f.Rule}] {f.Title} @{f.ModulePath}"));
        return null;
    }

    private sealed record ChaosFault(
        string Name,
        Action<Tensor, optim.Optimizer, int> Plant,
        Func<RunVerdict, bool> Names,
        string Expected,
        bool NeedsBatchNorm = false,
        bool NeedsGate = false,
        bool OneRow = false,
        Action<nn.Module>? Prepare = null,
        bool Frozen = false,
        bool Unscaled = false);
}
