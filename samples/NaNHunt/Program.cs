// The seed thread's last message: "loss always appeared nan ... Function 'CudnnBatchNormBackward' returned nan values".
// Here is one real way to get there, and what the TrainingMonitor says about it.
//
// Wine has 178 rows; with a batch size of 59 the last batch of every epoch holds ONE row. In train mode BatchNorm cannot
// estimate a variance from one value per channel; libtorch does not complain, it silently writes NaN into running_var, and
// from then on every evaluation through that layer returns NaN.
using System.Globalization;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;

const int BatchSize = 59;
var (x, y) = LoadWine();
Console.WriteLine($"wine: {x.shape[0]} rows, batch size {BatchSize}: the last batch of each epoch has {x.shape[0] % BatchSize} row(s).");

Console.WriteLine();
Console.WriteLine("1. Without the monitor");
{
    var (model, optimizer) = Build();
    Train(model, optimizer, monitor: null);
    Console.WriteLine($"   running_var of bn after training: {Describe(RunningVar(model))}");
    model.eval();
    using (no_grad())
        Console.WriteLine($"   evaluation loss: {nn.functional.cross_entropy(model.call(x), y).item<float>()}   <- every prediction is NaN");
}

Console.WriteLine();
Console.WriteLine("2. With the TrainingMonitor (default policy: SkipStep)");
{
    var (model, optimizer) = Build();
    var log = Path.Combine(Path.GetTempPath(), "nanhunt-run.jsonl");
    using (var monitor = new TrainingMonitor(model, new MonitorOptions { RunLogPath = log, RunName = "nan-hunt", PublishMetrics = false }))
        Train(model, optimizer, monitor);
    var run = RunLogReader.Read(log);
    var incident = run.Anomalies.First();
    Console.WriteLine($"   {run.Anomalies.Count} incident(s) in {run.Steps.Count} steps; the first one, as the monitor wrote it to {log}:");
    Console.WriteLine($"     step       {incident.Step}");
    Console.WriteLine($"     kind       {incident.Kind}");
    Console.WriteLine($"     phase      {incident.Phase}");
    Console.WriteLine($"     module     {incident.ModulePath} ({incident.Operation})");
    Console.WriteLine($"     message    {incident.Message}");
    Console.WriteLine($"     suggestion {incident.Suggestion}");
    Console.WriteLine($"     action     {incident.Action}");
    Console.WriteLine("   The JSON line:");
    Console.WriteLine("     " + File.ReadLines(log).First(l => l.Contains("\"kind\":\"anomaly\"", StringComparison.Ordinal)));
    Console.WriteLine($"   running_var of bn after training: {Describe(RunningVar(model))}");
    model.eval();
    using (no_grad())
        Console.WriteLine($"   evaluation loss: {nn.functional.cross_entropy(model.call(x), y).item<float>():F4}   <- the skipped steps kept the model healthy");
}

Console.WriteLine();
Console.WriteLine("The fix the monitor suggests: drop the incomplete last batch, or use eval() for single samples.");
return 0;

(nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer) Build()
{
    manual_seed(0);
    var model = nn.Sequential(("fc1", nn.Linear(13, 32)), ("bn", nn.BatchNorm1d(32)), ("relu", nn.ReLU()), ("fc2", nn.Linear(32, 3)));
    return (model, optim.Adam(model.parameters(), 0.01));
}

void Train(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, TrainingMonitor? monitor)
{
    long step = 0;
    for (int epoch = 0; epoch < 5; epoch++)
    {
        model.train();
        for (long start = 0; start < x.shape[0]; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            var index = arange(start, Math.Min(start + BatchSize, x.shape[0]));
            var (xb, yb) = (x.index_select(0, index), y.index_select(0, index));
            Tensor Loss() => nn.functional.cross_entropy(model.call(xb), yb);
            if (monitor is null)
            {
                optimizer.zero_grad();
                Loss().backward();
                optimizer.step();
            }
            else if (monitor.Step(step, Loss).ShouldStep)
            {
                optimizer.step();
            }
            step++;
        }
    }
}

static Tensor RunningVar(nn.Module model) => model.named_buffers().Single(b => b.name == "bn.running_var").buffer;

static string Describe(Tensor t)
{
    using var scope = NewDisposeScope();
    long nan = t.isnan().sum().item<long>();
    return nan > 0 ? $"{nan} of {t.numel()} channels are NaN" : $"finite (mean {t.mean().item<float>():G4})";
}

static (Tensor X, Tensor Y) LoadWine()
{
    var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "wine_data.csv")).Skip(1)
        .Where(l => l.Length > 0)
        .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
    var features = tensor(rows.SelectMany(r => r.Take(13)).Select(v => (float)v).ToArray()).reshape(rows.Length, 13);
    // Standardize: unscaled wine features would blow up the gradients first, a different story.
    features = (features - features.mean([0])) / features.std(0);
    var order = tensor(Enumerable.Range(0, rows.Length).OrderBy(i => i * 7919 % rows.Length).Select(i => (long)i).ToArray());
    return (features.index_select(0, order), tensor(rows.Select(r => (long)r[13]).ToArray()).index_select(0, order));
}
