using System.Globalization;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The benchmark's scenarios: each problem of <see cref="SilentProblems"/> planted into at least two settings (dataset and
/// architecture), and the healthy controls (3 architectures x 2 optimizers x 3 seeds). The plants are the mistakes of real
/// scripts; their strength is chosen so that the harness's own measure (<see cref="Manifestation"/>) sees the problem, never
/// tuned to what a rule reports.
/// </summary>
public static class SilentFaultCatalog
{
    /// <summary>digits, MLP 64-32-10, ReLU, Adam 0.01, 10 epochs of 64-image batches (about 230 steps).</summary>
    public static TrainingSetting DigitsRelu { get; } = Setting(SilentDataset.Digits, [32], ActivationKind.ReLU, OptimizerKind.Adam, 0.01, 10, 64, standardize: false);

    /// <summary>wine (standardized), MLP 13-16-16-3, tanh, Adam 0.01, 30 epochs of 16 rows (about 270 steps).</summary>
    public static TrainingSetting WineTanh { get; } = Setting(SilentDataset.Wine, [16, 16], ActivationKind.Tanh, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);

    /// <summary>iris (standardized), MLP 4-16-3, ReLU, Adam 0.01, 30 epochs of 16 rows (240 steps).</summary>
    public static TrainingSetting IrisRelu { get; } = Setting(SilentDataset.Iris, [16], ActivationKind.ReLU, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);

    /// <summary>The three healthy architectures.</summary>
    public static IReadOnlyList<TrainingSetting> Architectures { get; } = [DigitsRelu, WineTanh, IrisRelu];

    /// <summary>A setting with <paramref name="optimizer"/> in place of its own (SGD with momentum at 0.05, Adam at 0.01).</summary>
    public static TrainingSetting WithOptimizer(TrainingSetting setting, OptimizerKind optimizer)
    {
        double lr = optimizer == OptimizerKind.Adam ? 0.01 : 0.05;
        return Setting(setting.Dataset, setting.Hidden, setting.Activation, optimizer, lr, setting.Epochs, setting.BatchSize, setting.Standardize);
    }

    /// <summary>The healthy controls: every architecture with Adam and with SGD (momentum), each with <paramref name="seeds"/> seeds.</summary>
    public static IReadOnlyList<SilentFaultScenario> HealthyControls(int seeds = 3) =>
        (from setting in Architectures
         from optimizer in new[] { OptimizerKind.Adam, OptimizerKind.SgdMomentum }
         from seed in Enumerable.Range(1, seeds)
         select SilentFaultScenario.HealthyControl(WithOptimizer(setting, optimizer), seed)).ToList();

    /// <summary>Every planted scenario: each problem in two settings or more.</summary>
    public static IReadOnlyList<SilentFaultScenario> All { get; } = Build();

    /// <summary>One scenario per problem (the first of each), for a quick check in CI.</summary>
    public static IReadOnlyList<SilentFaultScenario> Reduced { get; } = All.GroupBy(s => s.Problem).Select(g => g.First()).ToList();

    private static List<SilentFaultScenario> Build()
    {
        TrainingSetting wineRelu = Setting(SilentDataset.Wine, [32, 32], ActivationKind.ReLU, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);
        TrainingSetting digitsTanh = Setting(SilentDataset.Digits, [32], ActivationKind.Tanh, OptimizerKind.Adam, 0.01, 10, 64, standardize: false);
        TrainingSetting irisSigmoid = Setting(SilentDataset.Iris, [16], ActivationKind.Sigmoid, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);
        TrainingSetting digitsSigmoid = Setting(SilentDataset.Digits, [32], ActivationKind.Sigmoid, OptimizerKind.Sgd, 0.1, 10, 64, standardize: false);
        TrainingSetting wineSigmoid = Setting(SilentDataset.Wine, [16], ActivationKind.Sigmoid, OptimizerKind.Sgd, 0.1, 30, 16, standardize: true);
        TrainingSetting digitsSgd = WithOptimizer(DigitsRelu, OptimizerKind.SgdMomentum);
        TrainingSetting wineTanhSgd = WithOptimizer(WineTanh, OptimizerKind.SgdMomentum);
        TrainingSetting wineWide = Setting(SilentDataset.Wine, [64, 64], ActivationKind.ReLU, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);
        string[] input = ["input"];
        TrainingSetting digitsTanhSgd = Setting(SilentDataset.Digits, [32], ActivationKind.Tanh, OptimizerKind.SgdMomentum, 0.05, 10, 64, standardize: false);
        TrainingSetting irisTanhSgd = Setting(SilentDataset.Iris, [16], ActivationKind.Tanh, OptimizerKind.SgdMomentum, 0.05, 30, 16, standardize: true);
        TrainingSetting irisWide = Setting(SilentDataset.Iris, [64, 64], ActivationKind.ReLU, OptimizerKind.Adam, 0.01, 30, 16, standardize: true);
        return
        [
            new(SilentProblems.DyingRelu, DigitsRelu, new FaultPlant { BiasModule = "fc1", BiasValue = -4 }, "fc1's bias initialized at -4", ["act1", "fc1"]),
            new(SilentProblems.DyingRelu, wineRelu, new FaultPlant { BiasModule = "fc2", BiasValue = -6, BiasShare = 0.9 }, "fc2's bias initialized at -6 for 90 % of its units", ["act2", "fc2"]),
            new(SilentProblems.DyingRelu, digitsSgd, new FaultPlant { LearningRate = 1.2, RecordPolicy = true }, "killed during training by learning rate 1.2 (healthy: 0.05)", ["act1", "fc1"]),

            new(SilentProblems.SaturatedActivation, digitsTanh, new FaultPlant { WeightModule = "fc1", WeightScale = 30 }, "fc1's weights initialized 30x too large", ["act1", "fc1"]),
            new(SilentProblems.SaturatedActivation, irisSigmoid, new FaultPlant { WeightModule = "fc1", WeightScale = 25 }, "fc1's weights initialized 25x too large", ["act1", "fc1"]),

            new(SilentProblems.VanishingGradient, digitsSigmoid, new FaultPlant { Hidden = Enumerable.Repeat(32, 8).ToArray() }, "8 hidden sigmoid layers of 32 (healthy: 1)", ["fc1", "act1"]),
            new(SilentProblems.VanishingGradient, wineSigmoid, new FaultPlant { Hidden = Enumerable.Repeat(16, 10).ToArray() }, "10 hidden sigmoid layers of 16 (healthy: 1)", ["fc1", "act1"]),

            new(SilentProblems.OscillatingLoss, digitsTanhSgd, new FaultPlant { LearningRate = 1, RecordPolicy = true }, "learning rate 1 (healthy: 0.05)", []),
            new(SilentProblems.OscillatingLoss, irisTanhSgd, new FaultPlant { LearningRate = 3, RecordPolicy = true }, "learning rate 3 (healthy: 0.05)", []),

            new(SilentProblems.SlowConvergence, DigitsRelu, new FaultPlant { LearningRate = 1e-5 }, "learning rate 1e-5 (healthy: 0.01)", []),
            new(SilentProblems.SlowConvergence, wineTanhSgd, new FaultPlant { LearningRate = 5e-5 }, "learning rate 5e-5 (healthy: 0.05)", []),

            new(SilentProblems.ChanceLevelLoss, DigitsRelu, new FaultPlant { Labels = LabelNoise.Shuffled }, "training labels shuffled among the images", []),
            new(SilentProblems.ChanceLevelLoss, IrisRelu, new FaultPlant { Labels = LabelNoise.Random }, "training labels drawn at random", []),

            new(SilentProblems.Overfitting, DigitsRelu, new FaultPlant { TrainRows = 50, Epochs = 200 }, "50 training images, 200 epochs", []),
            new(SilentProblems.Overfitting, irisWide, new FaultPlant { TrainRows = 20, Epochs = 200 }, "20 training rows, 200 epochs", []),
            new(SilentProblems.Overfitting, wineWide, new FaultPlant { TrainRows = 10, Epochs = 200 }, "10 training rows, 200 epochs", []),

            new(SilentProblems.FrozenParameters, DigitsRelu, new FaultPlant { Frozen = ["fc1"] }, "fc1 left out of the optimizer", ["fc1"]),
            new(SilentProblems.FrozenParameters, wineRelu, new FaultPlant { Frozen = ["fc2"] }, "fc2 left out of the optimizer", ["fc2"]),

            new(SilentProblems.UnnormalizedInput, WineTanh, new FaultPlant { RawInputs = true }, "the raw measurements (about 0.1 to 1500), not standardized", input),
            new(SilentProblems.UnnormalizedInput, DigitsRelu, new FaultPlant { ColumnDecades = 5 }, "pixel column j times 10^(j mod 5), plus 10 (j mod 3)", input),
        ];
    }

    private static TrainingSetting Setting(SilentDataset dataset, int[] hidden, ActivationKind activation, OptimizerKind optimizer, double lr, int epochs, int batch, bool standardize)
    {
        TabularData data = TabularData.Load(dataset);
        string widths = string.Join("-", hidden.Prepend(data.Columns).Append(data.Classes));
        string optimizerName = optimizer switch
        {
            OptimizerKind.Adam => "Adam",
            OptimizerKind.Sgd => "SGD",
            _ => "SGD+momentum",
        };
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{dataset.ToString().ToLowerInvariant()}{(standardize ? " (std)" : "")}, MLP {widths} {activation}, {optimizerName} {lr}");
        return new TrainingSetting(name, dataset, hidden, activation, optimizer, lr, epochs, batch, standardize);
    }
}
