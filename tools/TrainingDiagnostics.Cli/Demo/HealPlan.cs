using System.Globalization;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// What <c>tdiag demo --heal</c> changes for its next run, read from the remedies of the report's findings (never from the
/// planted fault): the healing in force, plus every remedy a program can apply, each resolved against the model's layout.
/// Where several findings scale the learning rate, the most important one decides (findings come most important first);
/// clipping takes the tightest norm; early stopping the earliest best step.
/// </summary>
/// <remarks>
/// Remedies come in three stages, applied one stage per round: first those that change what the model sees or is
/// (standardize the inputs, re-initialize, replace an activation, add to the optimizer, drop the last batch), then the step
/// size (scale the learning rate, clip), then when to stop (early stop). A factor or a best step was measured on the run as
/// it was: after the inputs or the model change, the next round measures it again instead of applying a stale number (a
/// learning-rate factor measured on unscaled inputs is far too small once they are standardized). Remedies of a later stage
/// are listed as deferred.
/// </remarks>
internal sealed record HealPlan
{
    /// <summary>The healing for the next run: the one in force with the new remedies added.</summary>
    public required DemoHealing Healing { get; init; }

    /// <summary>One line per remedy applied: the action, the finding it came from, what it changes.</summary>
    public required IReadOnlyList<string> Applied { get; init; }

    /// <summary>One line per remedy that could not be applied, and why.</summary>
    public required IReadOnlyList<string> NotApplied { get; init; }

    /// <summary>One line per remedy left for a later round: its number was measured before this round's changes.</summary>
    public IReadOnlyList<string> Deferred { get; init; } = [];

    /// <summary>Whether the next run would differ from the last one.</summary>
    public bool ChangesAnything { get; init; }

    /// <summary>Turns the remedies of <paramref name="findings"/> into the healing of the next run.</summary>
    /// <param name="findings">The findings of the last run, most important first (as <see cref="RunVerdict.Findings"/>).</param>
    /// <param name="current">The healing the last run trained with.</param>
    /// <param name="layout">The model's modules and parameters, to resolve the remedies' targets.</param>
    public static HealPlan From(IEnumerable<Finding> findings, DemoHealing current, ModelLayout layout)
    {
        List<Finding> remedied = findings.Where(f => f.Remedy is not null).ToList();
        for (int stage = 0; ; stage++)
        {
            HealPlan plan = Apply(remedied.Where(f => Stage(f.Remedy!.Action) == stage), current, layout);
            if (plan.ChangesAnything || stage == LastStage)
            {
                IEnumerable<string> unstaged = Apply(remedied.Where(f => Stage(f.Remedy!.Action) > LastStage), current, layout).NotApplied;
                IEnumerable<string> earlier = Enumerable.Range(0, stage).SelectMany(s => Apply(remedied.Where(f => Stage(f.Remedy!.Action) == s), current, layout).NotApplied);
                return plan with
                {
                    NotApplied = [.. earlier, .. plan.NotApplied, .. unstaged],
                    Deferred = remedied.Where(f => Stage(f.Remedy!.Action) > stage && Stage(f.Remedy!.Action) <= LastStage)
                        .Select(f => $"{Source(f)}: its {(f.Remedy!.Action == RemedyActions.EarlyStop ? "step" : "number")} was measured before this round's changes; the next round judges the run again")
                        .Distinct()
                        .ToList(),
                };
            }
        }
    }

    private const int LastStage = 2;

    /// <summary>0: what the model sees or is; 1: the step size; 2: when to stop; 3: nothing a program applies.</summary>
    private static int Stage(string action) => action switch
    {
        RemedyActions.StandardizeInputs or RemedyActions.Reinitialize or RemedyActions.ReplaceActivation or RemedyActions.AddToOptimizer
            or RemedyActions.DropLastBatch => 0,
        RemedyActions.ScaleLearningRate or RemedyActions.ClipGradients => 1,
        RemedyActions.EarlyStop => 2,
        _ => 3,
    };

    private static string Source(Finding finding) =>
        Invariant($"{finding.Remedy!.Action} ({finding.Rule}{(finding.ModulePath is null ? "" : " in " + finding.ModulePath)}{(finding.Step is null ? "" : $" at step {finding.Step}")})");

    /// <summary>Applies every remedy of <paramref name="findings"/> it can, in their order.</summary>
    private static HealPlan Apply(IEnumerable<Finding> findings, DemoHealing current, ModelLayout layout)
    {
        var next = current;
        var applied = new List<string>();
        var notApplied = new List<string>();
        bool learningRateScaled = false;
        foreach (Finding finding in findings)
        {
            Remedy remedy = finding.Remedy!;

            string source = Source(finding);
            string? refusal = null;
            switch (remedy.Action)
            {
                case RemedyActions.ScaleLearningRate:
                    if (remedy.Factor is not double factor || !double.IsFinite(factor) || factor <= 0)
                    {
                        refusal = "it carries no positive factor";
                    }
                    else if (learningRateScaled)
                    {
                        refusal = "a more important finding already scales the learning rate";
                    }
                    else
                    {
                        learningRateScaled = true;
                        next = next with { LearningRateFactor = next.LearningRateFactor * factor };
                        applied.Add(Invariant($"{source}: learning rate x{Number(factor)}"));
                    }

                    break;
                case RemedyActions.ClipGradients:
                    if (remedy.Factor is not double maxNorm || !double.IsFinite(maxNorm) || maxNorm <= 0)
                    {
                        refusal = "it carries no positive maximal norm";
                    }
                    else if (next.ClipGradientNorm <= maxNorm)
                    {
                        refusal = Invariant($"gradients are already clipped to {Number(next.ClipGradientNorm.Value)}");
                    }
                    else
                    {
                        next = next with { ClipGradientNorm = maxNorm };
                        applied.Add(Invariant($"{source}: gradient norm clipped to {Number(maxNorm)}"));
                    }

                    break;
                case RemedyActions.StandardizeInputs:
                    if (next.StandardizeInputs)
                    {
                        refusal = "the inputs are already standardized";
                    }
                    else
                    {
                        next = next with { StandardizeInputs = true };
                        applied.Add($"{source}: inputs standardized with the training images' mean and standard deviation");
                    }

                    break;
                case RemedyActions.AddToOptimizer:
                    string[] parameters = remedy.Target is { } parameterTarget
                        ? layout.ParametersOf(parameterTarget).Except(next.AddToOptimizer).ToArray()
                        : [];
                    if (parameters.Length == 0)
                    {
                        refusal = remedy.Target is null ? "it names no parameter"
                            : layout.ParametersOf(remedy.Target).Count == 0 ? $"the model has no parameter or module '{remedy.Target}'"
                            : $"{remedy.Target} is already added to the optimizer";
                    }
                    else
                    {
                        next = next with { AddToOptimizer = [.. next.AddToOptimizer, .. parameters] };
                        applied.Add($"{source}: {string.Join(", ", parameters)} added to the optimizer");
                    }

                    break;
                case RemedyActions.Reinitialize:
                    string? module = remedy.Target is { } moduleTarget ? layout.ParametrizedModuleOf(moduleTarget) : null;
                    if (module is null)
                    {
                        refusal = remedy.Target is null ? "it names no module" : $"the model has no module with parameters at or before '{remedy.Target}'";
                    }
                    else if (next.Reinitialize.Contains(module))
                    {
                        refusal = $"{module} is already re-initialized";
                    }
                    else
                    {
                        next = next with { Reinitialize = [.. next.Reinitialize, module] };
                        applied.Add($"{source}: {module} re-initialized (Kaiming-uniform weights, uniform biases)");
                    }

                    break;
                case RemedyActions.ReplaceActivation:
                    string? relu = remedy.Target is { } activationTarget ? layout.ReluOf(activationTarget) : null;
                    if (relu is null)
                    {
                        refusal = remedy.Target is null ? "it names no module" : $"the demo can replace ReLU modules only, and finds none at or after '{remedy.Target}'";
                    }
                    else if (next.ReplaceActivation.Contains(relu))
                    {
                        refusal = $"{relu} is already a LeakyReLU";
                    }
                    else
                    {
                        next = next with { ReplaceActivation = [.. next.ReplaceActivation, relu] };
                        applied.Add(Invariant($"{source}: {relu} replaced by LeakyReLU({Number(DigitsDemo.LeakySlope)})"));
                    }

                    break;
                case RemedyActions.EarlyStop:
                    if (finding.Step is not long best)
                    {
                        refusal = "the finding names no best step to stop at";
                    }
                    else if (next.StopAtStep <= best)
                    {
                        refusal = Invariant($"training already stops at step {next.StopAtStep}");
                    }
                    else
                    {
                        next = next with { StopAtStep = best };
                        applied.Add(Invariant($"{source}: training stops after the evaluation at step {best}"));
                    }

                    break;
                case RemedyActions.DropLastBatch:
                    if (next.DropLastBatch)
                    {
                        refusal = "the last incomplete batch is already dropped";
                    }
                    else
                    {
                        next = next with { DropLastBatch = true };
                        applied.Add($"{source}: each epoch's last incomplete batch dropped");
                    }

                    break;
                case RemedyActions.CheckLabels:
                    refusal = "it cannot be applied automatically: only a person can tell whether the labels belong to their inputs (look for a shuffled, misaligned or noise label column)";
                    break;
                default:
                    refusal = "the demo does not know this action";
                    break;
            }

            if (refusal is not null)
            {
                notApplied.Add($"{source}: {refusal}");
            }
        }

        return new HealPlan
        {
            Healing = next,
            Applied = applied.Distinct().ToList(),
            NotApplied = notApplied.Distinct().ToList(),
            ChangesAnything = applied.Count > 0,
        };
    }

    /// <summary>The healing in a few words, for the run's tags, for example <c>lr x0.1, inputs standardized</c>.</summary>
    public static string Describe(DemoHealing healing)
    {
        var parts = new List<string>();
        if (healing.LearningRateFactor != 1)
        {
            parts.Add(Invariant($"lr x{Number(healing.LearningRateFactor)}"));
        }

        if (healing.StandardizeInputs)
        {
            parts.Add("inputs standardized");
        }

        if (healing.AddToOptimizer.Count > 0)
        {
            parts.Add($"{string.Join(", ", healing.AddToOptimizer)} added to the optimizer");
        }

        if (healing.Reinitialize.Count > 0)
        {
            parts.Add($"{string.Join(", ", healing.Reinitialize)} re-initialized");
        }

        if (healing.ReplaceActivation.Count > 0)
        {
            parts.Add($"{string.Join(", ", healing.ReplaceActivation)} -> LeakyReLU");
        }

        if (healing.StopAtStep is long stop)
        {
            parts.Add(Invariant($"stopped after step {stop}"));
        }

        if (healing.ClipGradientNorm is double clip)
        {
            parts.Add(Invariant($"gradients clipped to {Number(clip)}"));
        }

        if (healing.DropLastBatch)
        {
            parts.Add("last incomplete batch dropped");
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>A number in at most 3 significant digits, invariant culture (0.03, 12.5, 1e-05).</summary>
    public static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
