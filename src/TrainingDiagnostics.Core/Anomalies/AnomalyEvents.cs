using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;

namespace TrainingDiagnostics.Anomalies;

/// <summary>
/// The one place that builds <see cref="AnomalyEvent"/>s: each kind's phase, where it is reported (the module path, null for
/// the root), its evidence counts taken from the offending tensor's statistics, and its suggestion. Detection (the
/// monitor) and localization (the replay) say only what they found.
/// </summary>
internal static class AnomalyEvents
{
    /// <summary>The phase in which an event of a kind arises, unless its finder knows better.</summary>
    public static AnomalyPhase PhaseOf(AnomalyKind kind) => kind switch
    {
        AnomalyKind.NonFiniteGradient or AnomalyKind.VanishingGradient or AnomalyKind.ExplodingGradient => AnomalyPhase.Backward,
        AnomalyKind.NonFiniteParameter => AnomalyPhase.Update,
        _ => AnomalyPhase.Forward,
    };

    /// <summary>Builds an event. <paramref name="modulePath"/> is the raw module path ("" for the root, reported as null).</summary>
    public static AnomalyEvent Create(
        AnomalyKind kind,
        long step,
        string? modulePath,
        string? operation,
        string message,
        string localization,
        TensorStatistics? tensor = null,
        IReadOnlyList<TensorStatistics>? inputs = null,
        AnomalyPhase? phase = null,
        string? suggestionKey = null,
        double? value = null,
        double? threshold = null) => new()
        {
            Kind = kind,
            Step = step,
            Phase = phase ?? PhaseOf(kind),
            ModulePath = modulePath is null ? null : ModuleTree.ReportPath(modulePath),
            Operation = operation,
            NaNCount = tensor?.NaNCount ?? 0,
            InfCount = tensor?.InfCount ?? 0,
            Tensor = tensor,
            Inputs = inputs ?? [],
            Message = message,
            Suggestion = Suggestions.For(kind, suggestionKey ?? operation),
            Localization = localization,
            Value = value,
            Threshold = threshold,
        };

    /// <summary>A parameter that holds NaN or Inf: an earlier update (or a direct write) made it non-finite.</summary>
    public static AnomalyEvent NonFiniteParameter(long step, string parameterName, string ownerPath, string ownerType, TensorStatistics stats,
        string localization, TensorStatistics? input = null) =>
        Create(AnomalyKind.NonFiniteParameter, step, ownerPath, ownerType,
            $"The parameter '{parameterName}' of {ownerType} '{Display(ownerPath)}' holds {Count(stats)}: an earlier update (or a direct write) made it non-finite" +
            (input is null ? "." : ", so the module turns a finite input into a non-finite output."),
            localization, stats, input is null ? null : [input]);

    /// <summary>A batch that holds NaN or Inf: the data is the producer.</summary>
    public static AnomalyEvent NonFiniteInput(long step, TensorStatistics stats, string localization) =>
        Create(AnomalyKind.NonFiniteInput, step, "input", "input batch",
            $"The batch fed to the model holds {Count(stats)}: the data is the producer, not the first layer.", localization, stats) with { ModulePath = "input" };

    /// <summary>A module whose forward output is non-finite from a finite input (a BatchNorm layer: degenerate BatchNorm).</summary>
    public static AnomalyEvent NonFiniteOutput(long step, string path, string type, bool batchNorm, TensorStatistics output, TensorStatistics input, string localization) =>
        Create(batchNorm ? AnomalyKind.BatchNormDegenerate : AnomalyKind.NonFiniteActivation, step, path, type,
            $"{type} '{Display(path)}' produced {Count(output)} in its forward output from a finite input.", localization, output, [input]);

    /// <summary>A non-finite loss.</summary>
    public static AnomalyEvent NonFiniteLoss(long step, string message, string localization, TensorStatistics? stats = null) =>
        Create(AnomalyKind.NonFiniteLoss, step, null, stats is null ? null : "loss", message, localization, stats, suggestionKey: null);

    /// <summary>A gradient that turned non-finite in the backward pass, in a module (or outside every module).</summary>
    public static AnomalyEvent NonFiniteGradient(long step, string? producerPath, string? producerType, string? node, TensorStatistics? tensor,
        IReadOnlyList<TensorStatistics>? inputs, string message, string localization)
    {
        string? operation = node is not null && producerType is not null ? $"{producerType}/{node}" : node ?? producerType;
        return Create(AnomalyKind.NonFiniteGradient, step, producerPath, operation, message, localization, tensor, inputs,
            suggestionKey: node ?? producerType);
    }

    /// <summary>A BatchNorm layer that cannot estimate batch statistics.</summary>
    public static AnomalyEvent BatchNorm(long step, string path, string type, string message, string localization, TensorStatistics? stats = null) =>
        Create(AnomalyKind.BatchNormDegenerate, step, path, type, message, localization, stats);

    /// <summary>A gradient that dies: a module receives a gradient and passes on exactly zero, or parameters get none.</summary>
    public static AnomalyEvent VanishingGradient(long step, string path, string type, string message, string localization,
        TensorStatistics? stats = null, double? value = null, double? threshold = null) =>
        Create(AnomalyKind.VanishingGradient, step, path, type, message, localization, stats, value: value, threshold: threshold, suggestionKey: type);

    /// <summary>A statistical alarm (exploding gradient, diverging loss) or an oversized update, with the value and threshold that tripped it.</summary>
    public static AnomalyEvent Alarm(AnomalyKind kind, long step, string? path, string? type, string message, string localization,
        double value, double threshold, AnomalyPhase? phase = null) =>
        Create(kind, step, path, type, message, localization, phase: phase, suggestionKey: null, value: value, threshold: threshold);

    /// <summary>"N NaN and M Inf value(s)".</summary>
    public static string Count(TensorStatistics? stats) =>
        stats is null ? "non-finite values" : $"{stats.NaNCount} NaN and {stats.InfCount} Inf value(s)";

    private static string Display(string path) => path.Length == 0 ? "(model)" : path;
}
