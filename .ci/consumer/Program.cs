// The consumer test's program (.ci/consumer-test.sh copies it into a fresh `dotnet new console` project that references
// the packed TrainingDiagnostics packages and libtorch-cpu-linux-x64, nothing of this repository). It uses the packages
// as a user would and exits 1, naming the check, when something is wrong.
//   Program <out-dir>           the full check: gradient, monitored training with a planted NaN, HTML report, kernels
//   Program <out-dir> --quick   libtorch loads and computes (run from the publish folder)
using TorchSharp;
using TrainingDiagnostics;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.Report;
using static TorchSharp.torch;

string outDir = args.Length > 0 ? args[0] : "consumer-out";
bool quick = args.Contains("--quick");
Directory.CreateDirectory(outDir);

// 1. A gradient through the functional API: d/dx dot(x, y) = y, d/dy = x (libtorch loads and computes).
var x = tensor(new double[] { 1, 2, 3 });
var y = tensor(new double[] { 4, 5, 6 });
Tensor[] g = Autodiff.Grad(v => v[0].dot(v[1]), [x, y]);
Check(g.Length == 2 && g[0].allclose(y) && g[1].allclose(x), "Autodiff.Grad of dot(x, y) is [y, x]");
if (quick)
    return Done();

// 2. Five monitored training steps; at step 3 the module "fault" computes 0/0.
manual_seed(0);
var fault = new PlantedFault();
var model = nn.Sequential(("fc", nn.Linear(4, 8)), ("fault", fault), ("out", nn.Linear(8, 1)));
var optimizer = optim.SGD(model.parameters(), 0.01);
string log = Path.Combine(outDir, "run.jsonl");
var results = new List<StepResult>();
using (var monitor = new TrainingMonitor(model, new MonitorOptions { RunLogPath = log, RunName = "consumer-test", PublishMetrics = false }))
{
    for (long step = 0; step < 5; step++)
    {
        using var scope = NewDisposeScope();
        var (xb, yb) = (randn(16, 4), randn(16, 1));
        fault.Poisoned = step == 3;
        var result = monitor.Step(step, () => nn.functional.mse_loss(model.call(xb), yb));
        results.Add(result);
        if (result.ShouldStep)
            optimizer.step();
    }
}
Check(results.Take(3).All(r => r.IsHealthy), "steps 0-2 are healthy");
var incident = results[3].Anomalies.FirstOrDefault();
Check(incident is not null, "step 3 has an incident");
Check(incident!.ModulePath == "fault", $"the incident names the module \"fault\" (it names \"{incident.ModulePath}\")");
Check(incident.Phase == AnomalyPhase.Forward, $"the NaN arose in the forward pass (phase {incident.Phase})");
Check(!results[3].ShouldStep, "the default policy skips the poisoned step");
Console.WriteLine($"incident: step {incident.Step}, {incident.Kind} in {incident.ModulePath} ({incident.Operation}): {incident.Suggestion}");

// 3. The run log read back and rendered as one HTML file.
DiagnosticsRun run = RunLogReader.Read(log);
Check(run.Steps.Count == 5 && run.Anomalies.Any(a => a.ModulePath == "fault"), "the run log holds 5 steps and the incident");
string report = Path.Combine(outDir, "report.html");
HtmlReport.Write(run, report, new ReportOptions { Title = "consumer test" });
Check(File.Exists(report) && File.ReadAllText(report).Contains("fault", StringComparison.Ordinal), "report.html is written and mentions the module");

// 4. The Kernels package: derivatives of x^3 on the CPU executor.
using (var engine = new PointwiseEngine(AcceleratorPreference.Cpu))
{
    double[][] d = engine.Derivatives<Cube>(new double[] { 1, 2 }, maxOrder: 2);
    Check(d[1][1] == 12 && d[2][1] == 12, "PointwiseEngine: (x^3)' = 12 and (x^3)'' = 12 at x = 2");
}
return Done();

static int Done()
{
    Console.WriteLine("consumer program: all checks passed");
    return 0;
}

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine($"consumer program: FAILED: {what}");
        Environment.Exit(1);
    }
    Console.WriteLine($"ok: {what}");
}

/// <summary>Passes its input through, except when poisoned: then 0/0 = NaN.</summary>
/// <remarks>An alias, not the input itself: Sequential disposes each intermediate result once the next module is done.</remarks>
internal sealed class PlantedFault() : nn.Module<Tensor, Tensor>(nameof(PlantedFault))
{
    public bool Poisoned { get; set; }

    public override Tensor forward(Tensor x) => Poisoned ? (x - x) / (x - x) : x.alias();
}

internal readonly struct Cube : IUnaryFunction
{
    public Jet Invoke(Jet x) => x * x * x;
}
