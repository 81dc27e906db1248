// An ML.NET pipeline with TrainingDiagnostics, on the UCI wine data (13 measurements on scales from 0.1 to 1500):
//   1. profile the raw data: the profile finds the scale spread and says to normalize;
//   2. normalize, flag non-finite rows, train a TorchSharp MLP with the TorchModule trainer under the training monitor;
//   3. evaluate with ML.NET's own evaluator; save the savable stages with mlContext.Model.Save and the module with SaveModule;
//   4. write the HTML report: loss, gradient norms per layer at every step, the Data and Pipeline sections.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TrainingDiagnostics.MLNet;
using TrainingDiagnostics.Report;
using static TorchSharp.torch;

string dataPath = Path.Combine(AppContext.BaseDirectory, "Data", "wine_data.csv");
string outFolder = Path.GetFullPath(args.Length > 0 ? args[0] : "mlnet-out");
Directory.CreateDirectory(outFolder);

var rows = File.ReadLines(dataPath).Skip(1).Where(l => l.Length > 0)
    .Select(l => l.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray())
    .Select(c => new Wine { Features = c[..13], Cultivar = c[13] })
    .ToList();

var mlContext = new MLContext(seed: 1);
var diagnostics = mlContext.Diagnostics();
var split = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(rows), testFraction: 0.25, seed: 1);

// The savable stages: they round-trip through mlContext.Model.Save.
var preprocessing = mlContext.Transforms.Conversion.MapValueToKey("Label", "Cultivar")
    .Append(diagnostics.Observe(diagnostics.ProfileData("Features"), "profile"))
    .Append(diagnostics.Observe(mlContext.Transforms.NormalizeMeanVariance("Features"), "normalize"))
    .Append(diagnostics.FlagNonFinite("Features"));
var prepared = preprocessing.Fit(split.TrainSet);

var trainer = diagnostics.TorchModule(new TorchModuleTrainerOptions
{
    ModelFactory = () => nn.Sequential(("fc1", nn.Linear(13, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3))),
    Task = TorchModuleTask.MulticlassClassification,
    Epochs = 30,
    BatchSize = 16,
    LearningRate = 0.01,
    Seed = 1,
    ValidationSet = prepared.Transform(split.TestSet),
    RunLogPath = Path.Combine(outFolder, "run.jsonl"),
});
using var module = trainer.Fit(prepared.Transform(split.TrainSet));
var model = prepared.Append(module);

var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"held-out accuracy {metrics.MicroAccuracy:P1}, log-loss {metrics.LogLoss:F3}");
foreach (var finding in module.Run.DataProfiles.SelectMany(p => p.Findings))
{
    Console.WriteLine($"data finding: {finding.Title}");
}

// mlContext.Model.Save cannot hold a TorchSharp module: save the savable part as ML.NET's zip, the module beside it.
mlContext.Model.Save(prepared, split.TrainSet.Schema, Path.Combine(outFolder, "preprocessing.zip"));
module.SaveModule(Path.Combine(outFolder, "module.bin"));
try
{
    mlContext.Model.Save(model, split.TrainSet.Schema, Path.Combine(outFolder, "all.zip"));
}
catch (InvalidOperationException e)
{
    Console.WriteLine($"as expected: {e.Message}");
}

// Loading: a fresh context registers the factories (mlContext.Diagnostics()) before Model.Load.
var loader = new MLContext(seed: 2);
_ = loader.Diagnostics();
var loadedPreprocessing = loader.Model.Load(Path.Combine(outFolder, "preprocessing.zip"), out _);
var loadedModule = TorchModuleTransformer.Load(loader, Path.Combine(outFolder, "module.bin"),
    () => nn.Sequential(("fc1", nn.Linear(13, 16)), ("relu", nn.ReLU()), ("fc2", nn.Linear(16, 3))));
var reloaded = loader.MulticlassClassification.Evaluate(loadedModule.Transform(loadedPreprocessing.Transform(split.TestSet)));
Console.WriteLine($"reloaded held-out accuracy {reloaded.MicroAccuracy:P1}");

string report = Path.Combine(outFolder, "report.html");
HtmlReport.Write(module.Run, report);
Console.WriteLine($"report: {report}");

internal sealed class Wine
{
    [VectorType(13)]
    public float[] Features { get; set; } = [];

    public float Cultivar { get; set; }
}
