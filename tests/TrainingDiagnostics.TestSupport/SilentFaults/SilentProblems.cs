namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The silent problems of issue 17, by the id of the report rule that must find each (<c>Finding.Rule</c>), and how the
/// benchmark judges where a finding placed it.
/// </summary>
public static class SilentProblems
{
    /// <summary>Most units of a ReLU layer output zero for every sample.</summary>
    public const string DyingRelu = "dying-relu";

    /// <summary>Most outputs of a sigmoid or tanh layer sit on its flat tails.</summary>
    public const string SaturatedActivation = "saturated-activation";

    /// <summary>The first layers' gradients are orders of magnitude below the last layers', and the loss does not fall.</summary>
    public const string VanishingGradient = "vanishing-gradient";

    /// <summary>The loss swings by a large amplitude with no downward trend (a learning rate too high).</summary>
    public const string OscillatingLoss = "oscillating-loss";

    /// <summary>The loss barely moves while the updates are tiny against the weights (a learning rate too low).</summary>
    public const string SlowConvergence = "slow-convergence";

    /// <summary>The model learns nothing from its labels: its loss stays at the level of a constant prediction.</summary>
    public const string ChanceLevelLoss = "chance-level-loss";

    /// <summary>The validation loss rises from its best while the training loss keeps falling.</summary>
    public const string Overfitting = "overfitting";

    /// <summary>A parameter gets non-zero gradients but never changes (left out of the optimizer).</summary>
    public const string FrozenParameters = "frozen-parameters";

    /// <summary>The input's feature scales span orders of magnitude, or sit far from zero.</summary>
    public const string UnnormalizedInput = "unnormalized-input";

    /// <summary>The problem of a healthy control run: none.</summary>
    public const string Healthy = "healthy";

    /// <summary>Every problem, in the order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        DyingRelu, SaturatedActivation, VanishingGradient, OscillatingLoss, SlowConvergence, ChanceLevelLoss, Overfitting,
        FrozenParameters, UnnormalizedInput,
    ];

    /// <summary>
    /// The problems whose healing the issue requires the benchmark to show by retraining (the learning-rate, input-scale and
    /// frozen-layer ones); the benchmark also tries every other remedy a program can apply and reports it.
    /// </summary>
    public static IReadOnlyList<string> MustHeal { get; } = [OscillatingLoss, SlowConvergence, UnnormalizedInput, FrozenParameters];

    /// <summary>
    /// How a finding's place is judged: <c>module</c> (its <c>ModulePath</c> is one of the scenario's expected places or a
    /// parameter of one), <c>step</c> (overfitting: its <c>Step</c> is the step of the best validation loss), or <c>run</c>
    /// (a problem of the whole run: no place to judge).
    /// </summary>
    public static string Placement(string problem) => problem switch
    {
        DyingRelu or SaturatedActivation or VanishingGradient or FrozenParameters or UnnormalizedInput => "module",
        Overfitting => "step",
        _ => "run",
    };
}
